using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Cli;
using Microsoft.Data.Sqlite;

namespace EdgeAnpr.Agent.Tests.Pipeline;

/// <summary>
/// A box's state for end-to-end hit tests: a temporary folder with a configuration file (site1/cam1, its own database,
/// MQTT at a given port), and a watchlist imported through the technician's command. Deleted on dispose.
/// </summary>
internal sealed class HitSite : IDisposable
{
    private readonly int? _mqttPort;

    private HitSite(string directory, int? mqttPort)
    {
        Folder = directory;
        _mqttPort = mqttPort;
    }

    public string Folder { get; }

    public string Config => Path.Combine(Folder, "edge-anpr.json");

    public string StateDirectory => Path.Combine(Folder, "state");

    /// <summary>The running agent's status socket (<c>Status:SocketPath</c>), in the site's folder.</summary>
    public string StatusSocket => Path.Combine(Folder, "status.sock");

    /// <summary>A site whose watchlist lists <paramref name="plates"/> (latin, priority 1, reason "stolen").</summary>
    public static async Task<HitSite> CreateAsync(int? mqttPort, params string[] plates)
    {
        var directory = Path.Combine(Path.GetTempPath(), "edgeanpr-tests", "site-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var site = new HitSite(directory, mqttPort);
        await site.WriteConfigAsync(camera: null);
        var csv = Path.Combine(directory, "list.csv");
        await File.WriteAllTextAsync(csv, "plate,region,reason,priority\n" + string.Concat(plates.Select(p => $"{p},latin,stolen,1\n")));
        var imported = await CliRunner.RunAsync("watchlist", "import", csv, "--config", site.Config);
        Assert.True(imported.ExitCode == ExitCodes.Ok, imported.Error);
        return site;
    }

    /// <summary>Rewrites the configuration with the same state and watchlist but another camera source.</summary>
    public Task SetCameraAsync(string source, bool pace) =>
        WriteConfigAsync(new JsonObject { ["Id"] = "cam1", ["Source"] = source, ["Pace"] = pace });

    private Task WriteConfigAsync(JsonObject? camera)
    {
        var config = new JsonObject
        {
            ["Site"] = new JsonObject { ["Id"] = "site1" },
            ["Camera"] = camera ?? new JsonObject { ["Id"] = "cam1" },
            ["Storage"] = new JsonObject { ["Directory"] = StateDirectory },
            ["Recognition"] = new JsonObject { ["Regions"] = new JsonArray("latin") },
            ["Status"] = new JsonObject { ["SocketPath"] = StatusSocket },
        };
        if (_mqttPort is { } port)
        {
            config["Mqtt"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = port, ["KeepAlive"] = "00:00:05" };
        }

        return File.WriteAllTextAsync(Config, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Hits in the outbox now, counted with a plain read of the database file (beside a running agent, WAL).</summary>
    public long OutboxCount() => Query("SELECT count(*) FROM outbox", r => r.GetInt64(0)).SingleOrDefault();

    /// <summary>The event ids in the outbox, oldest first.</summary>
    public IReadOnlyList<string> OutboxEventIds() => Query("SELECT event_id FROM outbox ORDER BY seq", r => r.GetString(0));

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read)
    {
        var path = Path.Combine(StateDirectory, AgentDatabase.FileName);
        if (!File.Exists(path))
        {
            return [];
        }

        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
