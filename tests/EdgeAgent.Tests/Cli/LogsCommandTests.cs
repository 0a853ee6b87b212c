using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;
using EdgeAnpr.Agent.Cli;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Delivery;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary><c>logs bundle</c>: a real tar.gz from a real database and configuration, with a journal the test writes.</summary>
public sealed class LogsCommandTests : IDisposable
{
    private const string MqttPassword = "Pw-in-file-7731";
    private const string InlinePassword = "Inline-pw-4410";
    private const string StationToken = "tok-station-99812";
    private const string CameraPassword = "cam-pw-5521";
    private const string KeyContents = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC";
    private const string HitInJournal = "AYO9034";
    private const string HitInOutbox = "BXR1234";
    private const string NotHitInJournal = "KLM4821";
    private const string NotHitInReads = "ZTT7788";
    private const string NotHitInStatus = "QWE4567";

    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-bundle-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_bundle_holds_no_secret_and_no_plate_that_did_not_hit_but_keeps_the_hits()
    {
        var config = WriteConfig(Path.Combine(_directory, "status.sock"));
        StoreOutbox();
        using var status = ServeStatus(Path.Combine(_directory, "status.sock"), $$"""{ "uptime": 12, "lastRead": "{{NotHitInStatus}}", "outboxDepth": 1 }""");
        string[] journal =
        [
            $"2026-12-01T07:59:58+0000 box edge-anpr[412]: Pass 3: {NotHitInJournal} (Latin 0.93), 12 frames, 10 reads",
            $"2026-12-01T07:59:59+0000 box edge-anpr[412]: Pass 4: {HitInJournal} (Latin 0.97), 14 frames, 12 reads",
            $"2026-12-01T07:59:59+0000 box edge-anpr[412]: Hit {HitInJournal}: entry W-17, priority 5, exact; event 0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b stored",
            $"2026-12-01T08:00:00+0000 box edge-anpr[412]: Pass 5: {HitInOutbox} (Latin 0.95), 9 frames, 8 reads",
            $"2026-12-01T08:00:01+0000 box edge-anpr[412]: Capture: decoder h264_v4l2m2m, camera rtsp://admin:{CameraPassword}@127.0.0.1:1/stream",
        ];
        var bundle = Path.Combine(_directory, "out.tar.gz");

        var result = await ToolRunner.RunAsync(
            c => LogsCommand.Create(c, _time, _ => Task.FromResult(new JournalLines(journal, "test journal"))),
            "logs", "bundle", "--out", bundle, "--config", config);

        Assert.True(result.ExitCode == ToolExit.Ok, result.Error);
        var files = Read(bundle);
        Assert.Equal(
            ["README.txt", "configuration.json", "versions.txt", "doctor.txt", "status.json", "journal.txt", "database.txt"],
            files.Keys.Select(k => k["edge-anpr-bundle/".Length..]));
        var all = string.Join("\n", files.Values);
        foreach (var secret in new[] { MqttPassword, InlinePassword, StationToken, CameraPassword, KeyContents, NotHitInJournal, NotHitInReads, NotHitInStatus })
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }

        var journalText = files["edge-anpr-bundle/journal.txt"];
        Assert.Contains($"Hit {HitInJournal}: entry W-17", journalText, StringComparison.Ordinal);
        Assert.Contains($"Pass 4: {HitInJournal} (", journalText, StringComparison.Ordinal);
        Assert.Contains($"Pass 5: {HitInOutbox} (", journalText, StringComparison.Ordinal);
        Assert.Contains("Pass 3: [plate] (", journalText, StringComparison.Ordinal);
        Assert.Contains("2026-12-01T07:59:58+0000", journalText, StringComparison.Ordinal);
        Assert.Contains("decoder h264_v4l2m2m", journalText, StringComparison.Ordinal);
        Assert.Contains("\"lastRead\": \"[plate]\"", files["edge-anpr-bundle/status.json"], StringComparison.Ordinal);

        var configuration = files["edge-anpr-bundle/configuration.json"];
        Assert.Contains("\"Mqtt:Password\": \"[redacted]\"", configuration, StringComparison.Ordinal);
        Assert.Contains("\"Station:Token\": \"[redacted]\"", configuration, StringComparison.Ordinal);
        Assert.Contains("\"Mqtt:UserName\": \"tech\"", configuration, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_directory, "mqtt.key"), configuration, StringComparison.Ordinal);
        Assert.Contains("rtsp://admin:[redacted]@127.0.0.1:1/stream", configuration, StringComparison.Ordinal);

        Assert.Contains("outbox: 1 hits and 1 unmatched reads waiting", files["edge-anpr-bundle/database.txt"], StringComparison.Ordinal);
        Assert.Contains("rows in watchlist: 0", files["edge-anpr-bundle/database.txt"], StringComparison.Ordinal);
        Assert.Contains("ffmpeg: ffmpeg version", files["edge-anpr-bundle/versions.txt"], StringComparison.Ordinal);
        Assert.Contains("configuration", files["edge-anpr-bundle/doctor.txt"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_agent_and_without_a_journal_the_bundle_says_so()
    {
        var socket = Path.Combine(_directory, "absent.sock");
        var config = WriteConfig(socket);
        var bundle = Path.Combine(_directory, "quiet.tar.gz");

        var result = await ToolRunner.RunAsync(
            c => LogsCommand.Create(c, _time, _ => Task.FromResult(new JournalLines(null, "no journalctl on this machine: no journal lines"))),
            "logs", "bundle", "--out", bundle, "--config", config, "--json");

        Assert.True(result.ExitCode == ToolExit.Ok, result.Error);
        Assert.Contains("\"entries\":[\"README.txt\"", result.Output, StringComparison.Ordinal);
        var files = Read(bundle);
        Assert.Contains($"the agent was not running (no status socket at {socket})", files["edge-anpr-bundle/status.json"], StringComparison.Ordinal);
        Assert.StartsWith("# no journalctl", files["edge-anpr-bundle/journal.txt"], StringComparison.Ordinal);
        Assert.StartsWith("no database at", files["edge-anpr-bundle/database.txt"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Pass 3: KLM4821 (Latin 0.93)", "Pass 3: [plate] (Latin 0.93)")]
    [InlineData("Pass 4: 12ب34567 (Ir 0.90)", "Pass 4: [plate] (Ir 0.90)")]
    [InlineData("2026-12-01T07:59:58+0000 started, pid 4412, h264 on /dev/video0", "2026-12-01T07:59:58+0000 started, pid 4412, h264 on /dev/video0")]
    [InlineData("event 0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b stored", "event 0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b stored")]
    [InlineData("Hit AYO9034: entry W-17 and AYO9034 again", "Hit AYO9034: entry W-17 and AYO9034 again")]
    public void Plate_like_tokens_are_masked_unless_they_hit(string line, string expected)
    {
        var filter = new PlateFilter([]);
        filter.LearnHits([line]);

        Assert.Equal(expected, filter.Apply(line));
    }

    private string WriteConfig(string statusSocket)
    {
        var passwordFile = Path.Combine(_directory, "mqtt.password");
        File.WriteAllText(passwordFile, MqttPassword + "\n");
        var keyFile = Path.Combine(_directory, "mqtt.key");
        File.WriteAllText(keyFile, $"-----BEGIN PRIVATE KEY-----\n{KeyContents}\n-----END PRIVATE KEY-----\n");
        var path = Path.Combine(_directory, "edge-anpr.json");
        File.WriteAllText(path, $$"""
            {
              "Camera": { "Source": "rtsp://admin:{{CameraPassword}}@127.0.0.1:1/stream" },
              "Storage": { "Directory": "{{Path.Combine(_directory, "state")}}" },
              "Mqtt": { "Host": "127.0.0.1", "Port": {{FreePorts.Next()}}, "UserName": "tech", "Password": "{{InlinePassword}}", "PasswordFile": "{{passwordFile}}", "KeyFile": "{{keyFile}}" },
              "Station": { "Token": "{{StationToken}}" },
              "Status": { "SocketPath": "{{statusSocket}}" }
            }
            """);
        return path;
    }

    /// <summary>A hit and an unmatched read waiting in the outbox, as the agent stores them.</summary>
    private void StoreOutbox()
    {
        var camera = new CameraIdentity("site1", "cam1");
        var factory = new HitEventFactory(camera, _time);
        using var outbox = new Outbox(AgentDatabase.Open(Path.Combine(_directory, "state"), _time, NullLogger.Instance), new OutboxOptions(), _time, NullLogger.Instance);
        var hit = factory.Create(TestPasses.Pass(_time, HitInOutbox), TestPasses.Stolen);
        var read = factory.CreateRead(TestPasses.Pass(_time, NotHitInReads, seed: 2));
        outbox.Enqueue(hit.EventId, camera.HitTopic, HitPayload.Serialize(hit));
        outbox.Enqueue(read.EventId, camera.ReadTopic, HitPayload.Serialize(read));
    }

    /// <summary>Answers one <c>status</c> request on a Unix socket, as the agent does.</summary>
    private static StatusServer ServeStatus(string path, string answer)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptAsync();
            var request = new byte[64];
            var read = 0;
            while (read == 0 || request[read - 1] != (byte)'\n')
            {
                read += await client.ReceiveAsync(request.AsMemory(read), SocketFlags.None);
            }

            Assert.Equal("status\n", Encoding.ASCII.GetString(request, 0, read));
            await client.SendAsync(Encoding.UTF8.GetBytes(answer), SocketFlags.None);
            client.Shutdown(SocketShutdown.Both);
        });
        return new StatusServer(listener, serving);
    }

    private static Dictionary<string, string> Read(string bundle)
    {
        var files = new Dictionary<string, string>();
        using var file = File.OpenRead(bundle);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            using var reader = new StreamReader(entry.DataStream!);
            files.Add(entry.Name, reader.ReadToEnd());
        }

        return files;
    }

    private sealed class StatusServer(Socket listener, Task serving) : IDisposable
    {
        public void Dispose()
        {
            // The answer was read to its end before the bundle was written; the server's last step follows that.
            var served = serving.Wait(TimeSpan.FromSeconds(10));
            listener.Dispose();
            Assert.True(served && serving.IsCompletedSuccessfully, serving.Exception?.ToString() ?? "the status request was not served");
        }
    }
}
