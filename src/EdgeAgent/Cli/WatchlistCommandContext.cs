using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Watchlist;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// What the <c>watchlist</c> commands work on: the database in <c>Storage:Directory</c> and the <c>Watchlist</c>
/// options of the configuration. Only those two sections are bound and checked, so a technician can still read the
/// list on a box whose camera settings are broken. The commands run beside the service (WAL: readers and one writer
/// at a time, each write one transaction); a running service picks up a local import within Watchlist:ReloadCheckInterval.
/// </summary>
internal sealed class WatchlistCommandContext : IDisposable
{
    private WatchlistCommandContext(AgentDatabase database, WatchlistStore store, WatchlistOptions options, TimeProvider time)
    {
        Database = database;
        Store = store;
        Options = options;
        Time = time;
    }

    public AgentDatabase Database { get; }

    public WatchlistStore Store { get; }

    public WatchlistOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>
    /// The audit actor: <c>local:&lt;user&gt;</c>, the user who ran sudo when there is one (the person, not the account
    /// the command runs as).
    /// </summary>
    public static string Actor =>
        AuditLog.LocalActor(Environment.GetEnvironmentVariable("SUDO_USER") is { Length: > 0 } sudoUser ? sudoUser : Environment.UserName);

    /// <summary>Opens the database, or prints why not (one line each) and returns null.</summary>
    public static WatchlistCommandContext? Open(CliConsole console, string? configPath, TimeProvider time)
    {
        if (ValidatedConfiguration.LoadSections(
                console,
                configPath,
                new OptionsEntry<StorageOptions, StorageOptionsValidator>(StorageOptions.SectionName),
                new OptionsEntry<WatchlistOptions, WatchlistOptionsValidator>(WatchlistOptions.SectionName)) is not { } configuration)
        {
            return null;
        }

        var storage = new StorageOptions();
        configuration.GetSection(StorageOptions.SectionName).Bind(storage);
        var options = new WatchlistOptions();
        configuration.GetSection(WatchlistOptions.SectionName).Bind(options);
        AgentDatabase database;
        try
        {
            database = AgentDatabase.Open(storage, time, NullLogger.Instance);
        }
        catch (Exception ex) when (ex is StorageException or SqliteException or IOException or UnauthorizedAccessException)
        {
            console.Fail(0, $"Cannot open the database in {storage.Directory}: {ex.Message}");
            return null;
        }

        if (database.MovedAsidePath is { } aside)
        {
            console.Error.WriteLine($"edge-anpr: warning: the database was corrupt and was moved aside to {aside}; a fresh one was started");
        }

        return new WatchlistCommandContext(database, new WatchlistStore(database, time), options, time);
    }

    public void Dispose() => Store.Dispose();
}
