using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Storage;

/// <summary>A real state directory in /tmp, a fake clock and a collecting logger; deletes the directory when disposed.</summary>
internal sealed class StorageRig : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public StorageRig(string? directory = null)
    {
        Directory = directory ?? Path.Combine(Path.GetTempPath(), $"edge-anpr-storage-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, AgentDatabase.FileName);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public FakeLogger<AgentDatabase> Logger { get; } = new();

    public AgentDatabase OpenDatabase() => AgentDatabase.Open(Directory, Time, Logger);

    public Outbox OpenOutbox(AgentDatabase? database = null, OutboxOptions? options = null) =>
        Own(new Outbox(database ?? OpenDatabase(), options ?? new OutboxOptions(), Time, Logger));

    public T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>A connection made from scratch, sharing nothing with the code under test.</summary>
    public SqliteConnection Raw(string? path = null)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path ?? DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public object? Scalar(string sql, string? path = null)
    {
        using var connection = Raw(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A mount point (the tiny-filesystem test) is removed by that test.
        }
    }
}
