using EdgeAnpr.Agent.Cli;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Cli;
using EdgeAnpr.Agent.Tests.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Shared.Events;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary><c>edge-anpr station listen</c>, run in this process against a real broker.</summary>
public sealed class StationListenTests(ITestOutputHelper output)
{
    // The text line's time below is the pass's, read a moment before this start.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Each_hit_is_printed_once_however_often_it_arrives_and_waits_for_the_listener_while_it_is_away()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        string[] listen = ["station", "listen", "--host", MosquittoBroker.Address, "--port", $"{broker.Port}", "--client-id", "station-1"];

        // A first run makes the persistent session and its subscription, then leaves.
        var first = await CliRunner.RunAsync([.. listen, "--timeout", "2s", "--verbose"]);
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("subscribed to anpr/v1/+/+/hit", first.Error, StringComparison.Ordinal);

        // While it is away: a hit, the same hit again (at least once delivery), something that is no hit, another hit.
        var factory = new HitEventFactory(new CameraIdentity("site1", "cam1"), _time);
        var a = factory.Create(TestPasses.Pass(_time, crop: false), TestPasses.Stolen);
        var b = factory.Create(TestPasses.Pass(_time, "B123XY"), new HitMatch("W-2", "wanted", 1, MatchKind.Tolerant, "8→B at 1"));
        await using (var box = await MqttTestKit.ConnectAsync(broker.ClientOptions("box"), TestLogs.For<MqttTransport>(output)))
        {
            var topic = factory.Camera.HitTopic;
            foreach (var payload in new[] { HitPayload.Serialize(a), HitPayload.Serialize(a with { Replayed = true }), "{\"hello\":1}"u8.ToArray(), HitPayload.Serialize(b) })
            {
                await box.PublishAsync(topic, payload);
            }
        }

        var second = await CliRunner.RunAsync([.. listen, "--json", "--count", "2", "--timeout", "20"]);

        output.WriteLine(second.Output + second.Error);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(2, second.OutputLines.Length);
        Assert.Equal(HitLine.Json(a, "anpr/v1/site1/cam1/hit"), second.OutputLines[0]);
        Assert.StartsWith("{\"type\":\"hit\",\"topic\":\"anpr/v1/site1/cam1/hit\",\"eventId\":\"" + a.EventId, second.OutputLines[0], StringComparison.Ordinal);
        Assert.Contains(b.EventId, second.OutputLines[1], StringComparison.Ordinal);
        Assert.Contains("2 hit(s) printed, 1 duplicate(s) dropped, 1 invalid message(s) skipped", second.Error, StringComparison.Ordinal);
        Assert.Contains("not a v1 hit event", second.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_count_not_reached_within_the_timeout_fails()
    {
        await using var broker = await MosquittoBroker.StartAsync();

        var result = await CliRunner.RunAsync("station", "listen", "--host", MosquittoBroker.Address, "--port", $"{broker.Port}", "--count", "1", "--timeout", "1s");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("only 0 of 1 hit(s) arrived within 1 s", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--site", "a/b", "--site")]
    [InlineData("--site", "+", "--site")]
    [InlineData("--count", "0", "--count must be at least 1")]
    [InlineData("--timeout", "soon", "is not a duration")]
    [InlineData("--ca-file", "/nonexistent/ca.pem", "CaFile")]
    public async Task Bad_arguments_are_refused_before_connecting(string option, string value, string expected)
    {
        var result = await CliRunner.RunAsync("station", "listen", "--host", "127.0.0.1", option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("00:01:30", 90)]
    public void Durations_are_read_with_or_without_a_unit(string text, double seconds)
    {
        Assert.True(StationListenCommand.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Fact]
    public void The_text_line_says_what_a_person_needs()
    {
        var factory = new HitEventFactory(new CameraIdentity("site1", "cam2"), _time);
        var hit = factory.Create(TestPasses.Pass(_time, crop: false), new HitMatch("W-9", "stolen", 3, MatchKind.Tolerant, "0→O at 3")) with { Replayed = true };

        Assert.Equal(
            $"2024-12-31T23:59:59.840Z site1/cam2 AYO9034 (latin 0.95) tolerant entry W-9 p3: stolen (0→O at 3) [replayed] {hit.EventId}",
            HitLine.Text(hit));
    }

    [Fact]
    public void The_dedup_window_forgets_the_oldest_ids_first()
    {
        var window = new EventIdWindow(3);

        Assert.True(window.Add("a"));
        Assert.True(window.Add("b"));
        Assert.False(window.Add("a"));
        Assert.True(window.Add("c"));
        Assert.True(window.Add("d"));
        Assert.True(window.Add("a"));
        Assert.False(window.Add("d"));
        Assert.Equal(3, window.Count);
    }
}
