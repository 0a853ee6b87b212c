using System.Device.Gpio;
using System.Net.Sockets;
using System.Text.Json;
using EdgeAnpr.Agent.Cli;
using EdgeAnpr.Agent.Tests.Hardware;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary>
/// <c>gpio list|set|pulse|watch</c> on a fake chip (this machine has no GPIO) through the same controller seam the agent
/// uses; relay on line 17 (active-low), LED on 27, loop detector on 22 (active-low, pull-up).
/// </summary>
public sealed class GpioCommandTests : IDisposable
{
    private const int Relay = 17;
    private const int Led = 27;
    private const int Loop = 22;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-gpio-cli-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeGpioDriver _pins;

    public GpioCommandTests() => _pins = new FakeGpioDriver(_time);

    private string StatusSocket => Path.Combine(_directory, "status.sock");

    private string Config
    {
        get
        {
            var path = Path.Combine(_directory, "edge-anpr.json");
            File.WriteAllText(path, $$"""
                {
                  "Gpio": {
                    "Enabled": true, "Chip": "/dev/gpiochip0",
                    "Relay": { "Line": {{Relay}}, "ActiveLow": true },
                    "StatusLed": { "Line": {{Led}} },
                    "LoopDetector": { "Line": {{Loop}}, "ActiveLow": true, "Bias": "PullUp" }
                  },
                  "Status": { "SocketPath": "{{StatusSocket}}" }
                }
                """);
            return path;
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task List_shows_each_configured_line_and_reads_the_input()
    {
        // The detector's contact pulls the line low against the pull-up: a vehicle (active-low).
        _pins.SetPin(Loop, high: true);
        _pins.SetPin(Loop, high: false);

        var result = await RunAsync("gpio", "list", "--config", Config, "--json");

        Assert.True(result.ExitCode == ToolExit.Ok, result.Error);
        var rows = result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["relay", "led", "loop"], rows.Select(r => r.GetProperty("part").GetString()));
        Assert.Equal([Relay, Led, Loop], rows.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal(["output", "output", "input"], rows.Select(r => r.GetProperty("direction").GetString()));
        Assert.All(rows, r => Assert.Equal("/dev/gpiochip0", r.GetProperty("chip").GetString()));
        Assert.Equal("vehicle present", rows[2].GetProperty("value").GetString());
        Assert.Equal("not read (output)", rows[0].GetProperty("problem").GetString());
        Assert.False(_pins.IsOpen(Relay), "listing must not request an output");
    }

    [Fact]
    public async Task Set_drives_an_output_with_its_polarity()
    {
        var on = await RunAsync("gpio", "set", "relay", "on", "--config", Config);
        var relayLevelWhileOn = _pins.IsHigh(Relay);
        var ledOn = await RunAsync("gpio", "set", "led", "on", "--config", Config);

        Assert.True(on.ExitCode == ToolExit.Ok, on.Error);
        Assert.Equal($"relay (Gpio:Relay, line {Relay}, active-low): on", on.OutputLines.Single());
        Assert.False(relayLevelWhileOn, "an active-low relay is on while its pin is low");
        Assert.Equal(ToolExit.Ok, ledOn.ExitCode);
        Assert.True(_pins.IsHigh(Led));
        Assert.Equal([false], _pins.ChangesOf(Relay).Select(c => c.High));
    }

    [Fact]
    public async Task Pulse_switches_the_relay_on_for_its_length_on_the_clock_then_off()
    {
        var pulse = RunAsync("gpio", "pulse", "relay", "--ms", "250", "--config", Config);
        await Wait.UntilAsync(() => _pins.ChangesOf(Relay).Count == 2, Timeout, "the relay to switch on");
        Assert.False(pulse.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        var result = await pulse;

        Assert.True(result.ExitCode == ToolExit.Ok, result.Error);
        var changes = _pins.ChangesOf(Relay);
        Assert.Equal([true, false, true], changes.Select(c => c.High));
        Assert.Equal(TimeSpan.FromMilliseconds(250), changes[2].At - changes[1].At);
        Assert.Contains("on for 250 ms, now off", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_prints_each_edge_with_its_time_until_the_duration_ends()
    {
        _pins.SetPin(Loop, high: true);
        var watch = RunAsync("gpio", "watch", "loop", "--duration", "10s", "--config", Config);
        await Wait.UntilAsync(() => _pins.HasCallback(Loop), Timeout, "the watch to listen");

        _pins.SetPin(Loop, high: false);
        _time.Advance(TimeSpan.FromMilliseconds(1500));
        _pins.SetPin(Loop, high: true);
        _time.Advance(TimeSpan.FromSeconds(10));
        var result = await watch;

        Assert.True(result.ExitCode == ToolExit.Ok, result.Error);
        var lines = result.OutputLines;
        Assert.Equal($"watching loop (Gpio:LoopDetector, line {Loop}, active-low) for 10 s: now no vehicle", lines[0]);
        Assert.StartsWith("2026-12-01T08:00:00.000Z  active    vehicle present", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2026-12-01T08:00:01.500Z  inactive  no vehicle", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("+1.500 s", lines[2], StringComparison.Ordinal);
        Assert.Equal("2 edges in 11.5 s", lines[3]);
        Assert.False(_pins.HasCallback(Loop));
    }

    [Fact]
    public async Task A_line_the_running_agent_holds_is_named_as_the_agents_with_what_to_do()
    {
        _pins.Hold(Relay);
        var alone = await RunAsync("gpio", "set", "relay", "on", "--config", Config);
        using var agent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        agent.Bind(new UnixDomainSocketEndPoint(StatusSocket));
        agent.Listen(4);

        var held = await RunAsync("gpio", "pulse", "relay", "--config", Config);

        Assert.Equal(ToolExit.Unreachable, held.ExitCode);
        Assert.Equal("edge-anpr: the agent holds the GPIO lines: stop it with `systemctl stop edge-anpr` (start it again afterwards with `systemctl start edge-anpr`), then try again", held.ErrorLines.Single());
        Assert.Equal(ToolExit.Unreachable, alone.ExitCode);
        Assert.Contains("another program or a kernel driver may hold it", alone.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("set", "loop", "on", "loop is an input")]
    [InlineData("set", "relay", "maybe", "'maybe' is not a state")]
    [InlineData("pulse", "horn", null, "'horn' is not a part")]
    [InlineData("watch", "relay", null, "relay is an output")]
    public async Task A_wrong_part_or_state_is_bad_input(string verb, string part, string? state, string problem)
    {
        string[] args = state is null ? ["gpio", verb, part, "--config", Config] : ["gpio", verb, part, state, "--config", Config];

        var result = await RunAsync(args);

        Assert.Equal(ToolExit.BadInput, result.ExitCode);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_chip_list_still_shows_the_configuration_and_says_what_is_missing()
    {
        var config = Path.Combine(_directory, "nochip.json");
        File.WriteAllText(config, """{ "Gpio": { "Chip": "/dev/gpiochip99", "Relay": { "Line": 5 } } }""");

        var result = await ToolRunner.RunAsync(GpioCommand.Create, "gpio", "list", "--config", config);

        Assert.Equal(ToolExit.Unreachable, result.ExitCode);
        Assert.StartsWith("GPIO off (Gpio:Enabled is false", result.OutputLines[0], StringComparison.Ordinal);
        Assert.Contains(result.OutputLines, l => l.StartsWith("relay", StringComparison.Ordinal) && l.Contains("/dev/gpiochip99", StringComparison.Ordinal));
        Assert.Contains("/dev/gpiochip99", result.OutputLines[^1], StringComparison.Ordinal);
    }

    private Task<CliRunner.Result> RunAsync(params string[] args) =>
        ToolRunner.RunAsync(c => EdgeAnpr.Agent.Cli.GpioCommand.Create(c, _time, _ => new GpioController(_pins)), args);
}
