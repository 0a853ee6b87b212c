using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Systemd;

internal static class SystemdRegistration
{
    /// <summary>
    /// The stages' liveness marks and the service that reports them to systemd. Not <c>AddSystemd()</c>: outside a
    /// systemd unit it registers no notifier at all, and under one it adds <c>SystemdLifetime</c>, which would send its
    /// own <c>READY=1</c>; the notifier is registered here the way <c>AddSystemd()</c> does (it is inert without
    /// <c>NOTIFY_SOCKET</c>), so a test with its own notify socket runs the same code as systemd. The host keeps
    /// <c>ConsoleLifetime</c> (SIGTERM stops it the same way), and the journal's log format is chosen in
    /// <see cref="Hosting.AgentHost"/> by <c>JOURNAL_STREAM</c>.
    /// </summary>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services)
    {
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddSingleton(sp => new PipelineLiveness(
            sp.GetRequiredService<TimeProvider>(),
            CaptureService.FirstFrameTimeoutOf(sp.GetRequiredService<IOptions<CaptureOptions>>().Value)));
        services.AddHostedService<SystemdNotifyService>();
        return services;
    }
}
