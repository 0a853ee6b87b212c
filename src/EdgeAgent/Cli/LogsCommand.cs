using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// <c>edge-anpr logs bundle [--out FILE]</c>: one file to send to whoever supports the box (see <see cref="LogBundle"/>
/// for what is in it and what is kept out).
/// </summary>
internal static class LogsCommand
{
    public static Command Create(CliConsole console) => Create(console, TimeProvider.System, LogBundle.ReadSystemJournalAsync);

    internal static Command Create(CliConsole console, TimeProvider time, Func<CancellationToken, Task<JournalLines>> journal) =>
        new("logs", "Gather what support needs from this box. " + ToolExit.Help) { Bundle(console, time, journal) };

    private static Command Bundle(CliConsole console, TimeProvider time, Func<CancellationToken, Task<JournalLines>> journal)
    {
        var output = new Option<string?>("--out", "-o") { Description = "The file to write (default edge-anpr-bundle-<UTC time>.tar.gz here)", HelpName = "FILE" };
        var (config, json) = (CommonOptions.Config(), CommonOptions.Json());
        var command = new Command(
            "bundle",
            "Write a tar.gz with the configuration (secrets redacted), versions, doctor checks, the agent's status, recent journal lines and " +
            "database statistics; no plate that did not hit. " + ToolExit.Help)
        {
            output, config, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(output)
                ?? $"edge-anpr-bundle-{time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.tar.gz";
            IReadOnlyList<string> files;
            try
            {
                await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
                files = await new LogBundle(parse.GetValue(config), time, journal).WriteAsync(file, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return console.Fail(ToolExit.Failed, $"Cannot write {path}: {ex.Message}");
            }

            var bytes = new FileInfo(path).Length;
            console.Out.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new LogBundleJson(Path.GetFullPath(path), bytes, files), ToolJson.Default.LogBundleJson)
                : string.Create(CultureInfo.InvariantCulture, $"wrote {path} ({bytes} bytes): {string.Join(", ", files)}"));
            return ToolExit.Ok;
        });
        return command;
    }
}

internal sealed record LogBundleJson(string File, long Bytes, IReadOnlyList<string> Entries);
