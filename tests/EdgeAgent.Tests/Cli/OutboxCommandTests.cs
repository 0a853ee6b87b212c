using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeAnpr.Agent.Cli;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Delivery;
using EdgeAnpr.Agent.Tests.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Shared.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary><c>outbox list|count|retry|purge</c> on a real database file, with a fake clock and a fake terminal.</summary>
public sealed class OutboxCommandTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-outbox-cli-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly CameraIdentity _camera = new("site1", "cam1");

    private string State => Path.Combine(_directory, "state");

    private string Config
    {
        get
        {
            var path = Path.Combine(_directory, "edge-anpr.json");
            File.WriteAllText(path, $$"""{ "Storage": { "Directory": "{{State}}" } }""");
            return path;
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task List_shows_the_waiting_hits_oldest_first_with_plate_camera_age_and_size()
    {
        var stored = Store(("AYO9034", true), ("BXR1234", false));
        _time.Advance(TimeSpan.FromMinutes(90));

        var json = await RunAsync(ToolTerminal.None, "outbox", "list", "--config", Config, "--json");
        var text = await RunAsync(ToolTerminal.None, "outbox", "list", "--config", Config);

        Assert.Equal(ToolExit.Ok, json.ExitCode);
        var hits = json.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(stored.Select(h => h.EventId), hits.Select(h => h.GetProperty("eventId").GetString()));
        Assert.Equal(["AYO9034", "BXR1234"], hits.Select(h => h.GetProperty("plate").GetString()));
        Assert.Equal(["hit", "read"], hits.Select(h => h.GetProperty("kind").GetString()));
        Assert.All(hits, h => Assert.Equal("cam1", h.GetProperty("camera").GetString()));
        Assert.Equal(5400 + 2, hits[0].GetProperty("ageSeconds").GetDouble());
        Assert.True(hits[0].GetProperty("bytes").GetInt32() > 1000, "the hit carries its crop");
        Assert.Equal(ToolExit.Ok, text.ExitCode);
        Assert.Contains(text.OutputLines, l => l.Contains("AYO9034", StringComparison.Ordinal) && l.Contains("1h30m", StringComparison.Ordinal));
        Assert.Equal("2 waiting hits", text.OutputLines[^1]);
    }

    [Fact]
    public async Task Count_gives_the_depth_and_the_age_of_the_oldest()
    {
        Store(("AYO9034", true));
        _time.Advance(TimeSpan.FromDays(2));
        Store(("BXR1234", true));

        var json = await RunAsync(ToolTerminal.None, "outbox", "count", "--config", Config, "--json");
        var empty = await RunAsync(ToolTerminal.None, "outbox", "count", "--config", Path.Combine(_directory, "none.json"));

        using var count = JsonDocument.Parse(json.Output);
        Assert.Equal(2, count.RootElement.GetProperty("items").GetInt64());
        Assert.Equal((2 * 86400) + 2, count.RootElement.GetProperty("oldestAgeSeconds").GetDouble());
        Assert.Equal(ToolExit.BadInput, empty.ExitCode);
        Assert.Contains("none.json", empty.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_without_yes_and_without_a_terminal_refuses_and_changes_nothing()
    {
        Store(("AYO9034", true), ("BXR1234", true));

        var result = await RunAsync(ToolTerminal.None, "outbox", "purge", "--all", "--config", Config);

        Assert.Equal(ToolExit.Usage, result.ExitCode);
        Assert.Contains("confirm with --yes", result.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was removed", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, Summary().Items);
        Assert.Empty(Audit("outbox.purge"));
    }

    [Fact]
    public async Task Purge_asks_on_a_terminal_and_anything_but_yes_keeps_the_hits()
    {
        Store(("AYO9034", true));

        var result = await RunAsync(new ToolTerminal(new StringReader("y\n"), true, false), "outbox", "purge", "--all", "--config", Config);

        Assert.Equal(ToolExit.Usage, result.ExitCode);
        Assert.Contains("Type yes to go on", result.Error, StringComparison.Ordinal);
        Assert.Contains("not confirmed; nothing was removed", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, Summary().Items);
    }

    [Fact]
    public async Task A_confirmed_purge_removes_the_old_hits_only_and_is_audited_in_the_database_and_the_system_log()
    {
        var old = Store(("AYO9034", true), ("BXR1234", true));
        _time.Advance(TimeSpan.FromDays(8));
        var recent = Store(("CQZ5678", true));
        var syslogPath = Path.Combine(_directory, "log.sock");
        using var syslog = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = (int)Timeout.TotalMilliseconds };
        syslog.Bind(new UnixDomainSocketEndPoint(syslogPath));

        var result = await ToolRunner.RunAsync(
            c => OutboxCommand.Create(c, _time, new ToolTerminal(new StringReader("yes\n"), true, false), syslogPath),
            "outbox", "purge", "--older-than", "7d", "--config", Config);

        Assert.True(result.ExitCode == ToolExit.Ok, result.Error);
        Assert.Equal("removed 2 hits", result.OutputLines[^1]);
        var remaining = Rows();
        Assert.Equal([recent[0].EventId], remaining.Select(r => r.EventId));

        var audit = Assert.Single(Audit("outbox.purge"));
        Assert.StartsWith("local:", audit.Actor, StringComparison.Ordinal);
        using var detail = JsonDocument.Parse(audit.Detail);
        Assert.Equal(2, detail.RootElement.GetProperty("count").GetInt32());
        Assert.Equal("--older-than 7d", detail.RootElement.GetProperty("selector").GetString());
        Assert.Equal(old.Select(h => h.EventId), detail.RootElement.GetProperty("eventIds").EnumerateArray().Select(e => e.GetString()));

        var buffer = new byte[4096];
        var line = Encoding.UTF8.GetString(buffer, 0, syslog.Receive(buffer));
        output.WriteLine(line);
        Assert.StartsWith("<85>edge-anpr[", line, StringComparison.Ordinal);
        Assert.Contains($"by {audit.Actor} removed 2 hits", line, StringComparison.Ordinal);
        Assert.All(old, h => Assert.Contains(h.EventId, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Purge_and_retry_name_an_unknown_id_and_change_nothing()
    {
        Store(("AYO9034", true));

        var purge = await RunAsync(ToolTerminal.None, "outbox", "purge", "999", "--yes", "--config", Config);
        var retry = await RunAsync(ToolTerminal.None, "outbox", "retry", "no-such-event", "--config", Config);
        var neither = await RunAsync(ToolTerminal.None, "outbox", "retry", "--config", Config);
        var badAge = await RunAsync(ToolTerminal.None, "outbox", "purge", "--older-than", "seven days", "--yes", "--config", Config);

        Assert.Equal(ToolExit.BadInput, purge.ExitCode);
        Assert.Contains("no waiting hit has the id 999", purge.Error, StringComparison.Ordinal);
        Assert.Equal(ToolExit.BadInput, retry.ExitCode);
        Assert.Contains("no-such-event", retry.Error, StringComparison.Ordinal);
        Assert.Equal(ToolExit.Usage, neither.ExitCode);
        Assert.Equal(ToolExit.BadInput, badAge.ExitCode);
        Assert.Contains("'seven days' is not an age", badAge.Error, StringComparison.Ordinal);
        Assert.Equal(1, Summary().Items);
    }

    [Fact]
    public async Task A_retried_hit_is_published_again_by_the_running_delivery_loop()
    {
        // The broker routes the hit but its PUBACK never reaches the box, so the hit stays in the outbox and the loop,
        // which has handed it out on this connection, would not send it again before its deadline (ten minutes here).
        await using var broker = await MosquittoBroker.StartAsync();
        await using var relay = new MosquittoRelay(broker.Port, filterPubacks: true) { WithholdPubacks = true };
        await using var rig = new DeliveryRig(output, options: new DeliveryOptions { PublishTimeout = TimeSpan.FromMinutes(10) });
        await using var station = await HitSubscriber.StartAsync(broker, NullLogger.Instance);
        var transport = rig.BoxTransport(broker, relay.Port);
        await transport.WaitForAsync(MqttConnectionState.Connected);
        var delivery = await rig.StartAsync(transport);
        var hit = await delivery.SubmitAsync(TestPasses.Pass(rig.Time), TestPasses.Stolen);
        await Wait.UntilAsync(() => station.Received.Count == 1 && relay.Withheld == 1, Timeout, "the hit to reach the station without its PUBACK");
        relay.WithholdPubacks = false;
        var config = Path.Combine(_directory, "delivery.json");
        File.WriteAllText(config, $$"""{ "Storage": { "Directory": "{{rig.Directory}}" } }""");

        var result = await ToolRunner.RunAsync(c => OutboxCommand.Create(c, TimeProvider.System, ToolTerminal.None, "/nonexistent"), "outbox", "retry", hit.EventId, "--config", config, "--json");

        Assert.True(result.ExitCode == ToolExit.Ok, result.Error);
        await Wait.UntilAsync(() => station.Received.Count == 2, Timeout, "the retried hit to reach the station again");
        await Wait.UntilAsync(() => rig.Outbox.Count == 0, Timeout, "the retried hit's PUBACK to empty the outbox");
        Assert.All(station.Received, h => Assert.Equal(hit.EventId, h.EventId));
        using var change = JsonDocument.Parse(result.Output);
        Assert.Equal(1, change.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(hit.EventId, Assert.Single(Audit("outbox.retry", rig.Directory)).Detail.Split('"').Single(s => s == hit.EventId));
    }

    [Theory]
    [InlineData("7d", 7 * 24 * 3600)]
    [InlineData("12h", 12 * 3600)]
    [InlineData("30m", 1800)]
    [InlineData("90s", 90)]
    [InlineData("1.00:00:00", 86400)]
    public void Ages_read_as_a_technician_types_them(string text, double seconds)
    {
        Assert.True(OutboxCommand.TryParseAge(text, out var age));
        Assert.Equal(seconds, age.TotalSeconds);
    }

    private Task<CliRunner.Result> RunAsync(ToolTerminal terminal, params string[] args) =>
        ToolRunner.RunAsync(c => OutboxCommand.Create(c, _time, terminal, "/nonexistent/log"), args);

    /// <summary>Stores hits (plate, matched) through the agent's own outbox; the clock moves a second after each.</summary>
    private HitEvent[] Store(params (string Plate, bool Hit)[] plates)
    {
        var factory = new HitEventFactory(_camera, _time);
        var database = AgentDatabase.Open(State, _time, NullLogger.Instance);
        using var outbox = new Outbox(database, new OutboxOptions { MaxAge = TimeSpan.FromDays(30) }, _time, NullLogger.Instance);
        var events = new List<HitEvent>();
        foreach (var (plate, hit) in plates)
        {
            var pass = TestPasses.Pass(_time, plate, seed: events.Count + 1);
            var made = hit ? factory.Create(pass, TestPasses.Stolen) : factory.CreateRead(pass);
            outbox.Enqueue(made.EventId, hit ? _camera.HitTopic : _camera.ReadTopic, HitPayload.Serialize(made));
            events.Add(made);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        return [.. events];
    }

    private OutboxSummary Summary()
    {
        using var maintenance = new OutboxMaintenance(AgentDatabase.Open(State, _time, NullLogger.Instance), _time);
        return maintenance.Summary();
    }

    private IReadOnlyList<OutboxRow> Rows()
    {
        using var maintenance = new OutboxMaintenance(AgentDatabase.Open(State, _time, NullLogger.Instance), _time);
        return maintenance.List(100);
    }

    private IReadOnlyList<AuditEntry> Audit(string action, string? directory = null)
    {
        using var audit = new AuditLog(AgentDatabase.Open(directory ?? State, _time, NullLogger.Instance), _time);
        return audit.Query(action: action);
    }
}
