using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Doctor;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Cli;

/// <summary>Recent journal lines of the agent, or null lines with a note saying why there are none.</summary>
internal sealed record JournalLines(IReadOnlyList<string>? Lines, string Note);

/// <summary>
/// What <c>logs bundle</c> packs for whoever supports the box: the configuration with secrets redacted
/// (<see cref="ConfigRedaction"/>), versions, the <c>doctor</c> checks, the agent's status, recent journal lines and
/// database statistics, as a tar.gz of text files. Nothing in it identifies a plate that did not hit: the journal and
/// the status pass through <see cref="PlateFilter"/>, the database part has counts and sizes only, and every text is
/// scrubbed of the configuration's secret values and of URL passwords.
/// </summary>
internal sealed class LogBundle(string? configPath, TimeProvider time, Func<CancellationToken, Task<JournalLines>> journal)
{
    /// <summary>How many journal lines are asked for.</summary>
    public const int JournalLineCount = 2000;

    private static readonly string[] JournalctlPaths = ["/usr/bin/journalctl", "/bin/journalctl"];

    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan JournalTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Writes the bundle to <paramref name="destination"/> and returns the names of its files.</summary>
    public async Task<IReadOnlyList<string>> WriteAsync(Stream destination, CancellationToken cancellationToken)
    {
        IConfiguration configuration;
        string? configProblem = null;
        try
        {
            configuration = Hosting.AgentConfiguration.Load(configPath);
        }
        catch (Hosting.ConfigurationException ex)
        {
            configuration = new ConfigurationBuilder().Build();
            configProblem = ex.Message;
        }

        var storage = new StorageOptions();
        var capture = new CaptureOptions();
        TryBind(configuration, StorageOptions.SectionName, storage);
        TryBind(configuration, CaptureOptions.SectionName, capture);

        var (hitPlates, database) = DatabaseReport(storage);
        var plates = new PlateFilter(hitPlates);
        var journalLines = await ReadJournalAsync(cancellationToken);
        if (journalLines.Lines is { } lines)
        {
            plates.LearnHits(lines);
        }

        var entries = new List<(string Name, string Text)>
        {
            ("configuration.json", Configuration(configuration, configProblem)),
            ("versions.txt", await VersionsAsync(capture.FfmpegPath, cancellationToken)),
            ("doctor.txt", await DoctorAsync(cancellationToken)),
            ("status.json", plates.Apply(await StatusAsync(configuration, cancellationToken))),
            ("journal.txt", journalLines.Lines is { } found
                ? $"# {journalLines.Note}\n" + string.Join('\n', found.Select(plates.Apply)) + "\n"
                : $"# {journalLines.Note}\n"),
            ("database.txt", database),
        };
        entries.Insert(0, ("README.txt", Readme(plates.Masked)));

        var secrets = ConfigRedaction.SecretValues(configuration);
        await using (var gzip = new GZipStream(destination, CompressionLevel.Optimal, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            var now = time.GetUtcNow();
            foreach (var (name, text) in entries)
            {
                var bytes = Encoding.UTF8.GetBytes(Scrub(text, secrets));
                var entry = new PaxTarEntry(TarEntryType.RegularFile, $"edge-anpr-bundle/{name}")
                {
                    DataStream = new MemoryStream(bytes),
                    ModificationTime = now,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
                };
                await tar.WriteEntryAsync(entry, cancellationToken);
            }
        }

        return [.. entries.Select(e => e.Name)];
    }

    /// <summary>The real journal: <c>journalctl -u edge-anpr -n 2000 --no-pager -o short-iso</c>, when journalctl exists.</summary>
    public static async Task<JournalLines> ReadSystemJournalAsync(CancellationToken cancellationToken)
    {
        var journalctl = JournalctlPaths.FirstOrDefault(File.Exists);
        if (journalctl is null)
        {
            return new JournalLines(null, "no journalctl on this machine: no journal lines");
        }

        var arguments = new[] { "-u", "edge-anpr", "-n", JournalLineCount.ToString(CultureInfo.InvariantCulture), "--no-pager", "-o", "short-iso" };
        var result = await Checks.RunAsync(journalctl, arguments, JournalTimeout, cancellationToken);
        return result is { ExitCode: 0 } ok
            ? new JournalLines(ok.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), $"journalctl {string.Join(' ', arguments)}")
            : new JournalLines(null, $"journalctl failed ({result?.Output.Trim() ?? "did not run"}); is this user in the systemd-journal or adm group?");
    }

    private async Task<JournalLines> ReadJournalAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await journal(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return new JournalLines(null, $"the journal could not be read: {ex.Message}");
        }
    }

    private static string Configuration(IConfiguration configuration, string? problem)
    {
        var redacted = ConfigRedaction.Redact(configuration);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            if (problem is not null)
            {
                json.WriteString("_problem", problem);
            }

            foreach (var (key, value) in redacted)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static async Task<string> VersionsAsync(string ffmpegPath, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var agent = typeof(LogBundle).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        text.AppendLine(CultureInfo.InvariantCulture, $"agent: edge-anpr {agent}");
        text.AppendLine(CultureInfo.InvariantCulture, $"runtime: {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier}, {RuntimeInformation.ProcessArchitecture})");
        try
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"onnxruntime: {OnnxRuntimeLibrary.Version}");
        }
        catch (InferenceException ex)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"onnxruntime: does not load ({ex.Message})");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"mqttnet: {MqttDoctor.LibraryVersion}");
        text.AppendLine(CultureInfo.InvariantCulture, $"ffmpeg: {(await Checks.FfmpegAsync(ffmpegPath, cancellationToken)).Detail}");
        text.AppendLine(CultureInfo.InvariantCulture, $"os: {OsRelease()} ({RuntimeInformation.OSDescription}, {RuntimeInformation.OSArchitecture})");
        return text.ToString();
    }

    private static string OsRelease()
    {
        try
        {
            return File.ReadLines("/etc/os-release")
                .FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"') ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown (no /etc/os-release)";
        }
    }

    private async Task<string> DoctorAsync(CancellationToken cancellationToken)
    {
        var checks = await DoctorCommand.RunChecksAsync(configPath, time, cancellationToken);
        return string.Concat(checks.Select(c => $"{DoctorCommand.Label(c.Outcome),-5} {c.Name,-16} {c.Detail}\n"));
    }

    private static async Task<string> StatusAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var socket = configuration["Status:SocketPath"] is { Length: > 0 } configured ? configured : StatusSocketReader.DefaultSocketPath;
        try
        {
            return await StatusSocketReader.ReadAsync(socket, StatusTimeout, cancellationToken) + "\n";
        }
        catch (StatusUnavailableException ex)
        {
            return $"{{ \"status\": null, \"why\": \"{JsonEncodedText.Encode(ex.Message)}\" }}\n";
        }
    }

    /// <summary>Counts, sizes and the watchlist version, read-only (nothing is created or migrated); and the plates of the hits waiting.</summary>
    private static (IReadOnlyList<string> HitPlates, string Report) DatabaseReport(StorageOptions storage)
    {
        var path = Path.Combine(Path.GetFullPath(storage.Directory), AgentDatabase.FileName);
        if (!File.Exists(path))
        {
            return ([], $"no database at {path}\n");
        }

        var text = new StringBuilder();
        var plates = new List<string>();
        text.AppendLine(CultureInfo.InvariantCulture, $"file: {path}");
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(path + suffix))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"size{(suffix.Length == 0 ? "" : " " + suffix)}: {new FileInfo(path + suffix).Length} bytes");
            }
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            Scalar(connection, $"PRAGMA busy_timeout = {(int)AgentDatabase.BusyTimeout.TotalMilliseconds}");
            text.AppendLine(CultureInfo.InvariantCulture, $"schema version: {Scalar(connection, "PRAGMA user_version")}");
            var tables = new List<string>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            foreach (var table in tables)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"rows in {table}: {Scalar(connection, $"SELECT count(*) FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"")}");
            }

            if (tables.Contains("watchlist_sync"))
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT version, applied_at, key_id FROM watchlist_sync WHERE id = 1";
                using var reader = command.ExecuteReader();
                text.AppendLine(reader.Read()
                    ? string.Create(CultureInfo.InvariantCulture, $"watchlist version: {reader.GetInt64(0)}, applied {DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)):yyyy-MM-dd HH:mm:ss'Z'}, key {reader.GetString(2)}")
                    : "watchlist version: none (never synced)");
            }

            if (tables.Contains("outbox"))
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT topic, payload, created_at FROM outbox ORDER BY seq";
                using var reader = command.ExecuteReader();
                int hits = 0, reads = 0;
                long? oldest = null;
                while (reader.Read())
                {
                    oldest ??= reader.GetInt64(2);
                    if (HitPlate(reader.GetFieldValue<byte[]>(1)) is { } plate)
                    {
                        hits++;
                        plates.Add(plate);
                    }
                    else
                    {
                        reads++;
                    }
                }

                text.AppendLine(CultureInfo.InvariantCulture, $"outbox: {hits} hits and {reads} unmatched reads waiting; oldest stored {(oldest is { } o ? DateTimeOffset.FromUnixTimeMilliseconds(o).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-")}");
            }
        }
        catch (SqliteException ex)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"the database could not be read: {ex.Message}");
        }

        return (plates, text.ToString());
    }

    /// <summary>The plate of a stored hit; null for an unmatched read or a payload this build cannot read.</summary>
    private static string? HitPlate(byte[] payload)
    {
        try
        {
            var hit = HitPayload.Deserialize(payload);
            return hit.Match is null ? null : hit.Plate.Text;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void TryBind(IConfiguration configuration, string section, object options)
    {
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException)
        {
            // A bad value: doctor.txt names it; the defaults serve here.
        }
    }

    private static string Scrub(string text, IReadOnlyList<string> secrets)
    {
        text = ConfigRedaction.ScrubUrls(text);
        foreach (var secret in secrets)
        {
            text = text.Replace(secret, ConfigRedaction.Redacted, StringComparison.Ordinal);
        }

        return text;
    }

    private string Readme(int masked) => $"""
        edge-anpr log bundle, made {time.GetUtcNow():yyyy-MM-dd HH:mm:ss'Z'} on {Environment.MachineName}.

        configuration.json  every configuration key the agent sees; secrets ({ConfigRedaction.Redacted}) by key name: password, secret,
                            token, passphrase, credential, api key, private key; files named by *KeyFile and *PasswordFile are never included
        versions.txt        agent, .NET runtime, ONNX Runtime, MQTTnet, ffmpeg, operating system
        doctor.txt          the doctor checks, run when the bundle was made
        status.json         the running agent's status, or why there is none
        journal.txt         the last {JournalLineCount} journal lines of the edge-anpr unit
        database.txt        row counts, sizes, the watchlist version; no plates

        Plates: every plate-like token (5 to 10 capital letters and digits, two digits or more) that is not the plate of a hit
        (one waiting in the outbox, or named by a hit line of the journal) is replaced by {PlateFilter.Mask}: {masked} replaced.
        URL passwords and the configured secrets' values are replaced by {ConfigRedaction.Redacted} wherever they appear.

        """;
}
