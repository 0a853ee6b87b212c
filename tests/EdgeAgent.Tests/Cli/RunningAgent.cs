using EdgeAnpr.Agent.Tests.Pipeline;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary>
/// One agent for the tests of the verbs that ask it: <c>run</c> as a child process, reading a paced clip of vehicle
/// passes whose plate is on the watchlist, connected to a real mosquitto, its status socket in the site's folder.
/// </summary>
public sealed class RunningAgent : IAsyncLifetime
{
    /// <summary>The clip's frame size (<see cref="TestClips.VehiclePassesAsync"/>).</summary>
    public const int Width = 864;

    public const int Height = 576;

    private MosquittoBroker? _broker;
    private AgentProcess? _agent;
    private HitSite? _site;

    internal HitSite Site => _site ?? throw new InvalidOperationException("not started");

    internal AgentProcess Agent => _agent ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _site = await HitSite.CreateAsync(_broker.Port, ReplayReadsTests.Plate);

        // 30 passes of 1.8 s: the agent runs for most of a minute, long enough for every test of the class.
        var clip = await TestClips.VehiclePassesAsync(ReplayReadsTests.Photo, passes: 30);
        await _site.SetCameraAsync(clip, pace: true);
        _agent = AgentProcess.Start(null, "run", "--config", _site.Config);
        await Wait.UntilAsync(() => File.Exists(_site.StatusSocket) || _agent.HasExited, TimeSpan.FromSeconds(60), "the agent's status socket");
        Assert.False(_agent.HasExited, "the agent stopped: " + _agent.Error);
    }

    public async Task DisposeAsync()
    {
        if (_agent is { HasExited: false })
        {
            _agent.Terminate();
            await _agent.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        _agent?.Dispose();
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _site?.Dispose();
    }
}
