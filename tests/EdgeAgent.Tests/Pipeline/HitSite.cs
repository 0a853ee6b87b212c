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
    private HitSite(string directory, string config)
    {
        Directory = directory;
        Config = config;
    }

    public string Directory { get; }

    public string Config { get; }

    public string StateDirectory => Path.Combine(Directory, "state");

    /// <summary>A site whose watchlist lists <paramref name="plates"/> (latin, priority 1, reason "stolen").</summary>
    public static async Task<HitSite> CreateAsync(int? mqttPort, params string[] plates)
    {
        var directory = Path.Combine(Path.GetTempPath(), "edgeanpr-tests", "site-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var state = Path.Combine(directory, "state");
        var mqtt = mqttPort is { } port ? $$""", "Mqtt": { "Host": "127.0.0.1", "Port": {{port}}, "KeepAlive": "00:00:05" }""" : "";
        var config = Path.Combine(directory, "edge-anpr.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Site": { "Id": "site1" },
              "Camera": { "Id": "cam1" },
              "Storage": { "Directory": "{{state}}" },
              "Recognition": { "Regions": [ "latin" ] }{{mqtt}}
            }
            """);
        var site = new HitSite(directory, config);
        var csv = Path.Combine(directory, "list.csv");
        await File.WriteAllTextAsync(csv, "plate,region,reason,priority\n" + string.Concat(plates.Select(p => $"{p},latin,stolen,1\n")));
        var imported = await CliRunner.RunAsync("watchlist", "import", csv, "--config", config);
        Assert.True(imported.ExitCode == ExitCodes.Ok, imported.Error);
        return site;
    }

    /// <summary>Hits in the outbox now, counted with a plain read of the database file (beside a running agent, WAL).</summary>
    public long OutboxCount() => Query("SELECT count(*) FROM outbox", r => r.GetInt64(0)).SingleOrDefault();

    /// <summary>The event ids in the outbox, oldest first.</summary>
    public IReadOnlyList<string> OutboxEventIds() => Query("SELECT event_id FROM outbox ORDER BY seq", r => r.GetString(0));

    /// <summary>Rewrites the configuration with the same state and watchlist but another camera source.</summary>
    public async Task SetCameraAsync(string source, bool pace)
    {
        var json = await File.ReadAllTextAsync(Config);
        var camera = "\"Camera\": { \"Id\": \"cam1\", \"Source\": \"" + source + "\", \"Pace\": " + (pace ? "true" : "false") + " }";
        await File.WriteAllTextAsync(Config, System.Text.RegularExpressions.Regex.Replace(json, "\"Camera\": \\{[^}]*\\}", camera));
    }

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
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
