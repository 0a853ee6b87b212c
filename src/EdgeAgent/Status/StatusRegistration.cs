using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Status;

internal static class StatusRegistration
{
    /// <summary>
    /// The status endpoint of <c>run</c>: the frame stage's <see cref="FrameTap"/>, the last hour's
    /// <see cref="PassCounts"/> (a pipeline observer), the <see cref="StatusReport"/> over the stages' own figures, and the
    /// <see cref="StatusServer"/> on its socket. The outbox, MQTT link and watchlist store are reported when registered.
    /// </summary>
    public static IServiceCollection AddStatusEndpoint(this IServiceCollection services)
    {
        services.AddSingleton<FrameTap>();
        services.AddSingleton(sp => new PassCounts(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPipelineObserver>(sp => sp.GetRequiredService<PassCounts>());
        services.AddSingleton(sp =>
        {
            var capture = sp.GetService<CaptureService>();
            var frames = sp.GetService<FrameQueue>();
            var transport = sp.GetService<MqttTransport>();
            return new StatusReport(
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<PipelineStats>(),
                sp.GetRequiredService<PipelineLiveness>(),
                sp.GetRequiredService<IOptions<WatchdogOptions>>().Value.StageTimeout)
            {
                Identity = sp.GetService<CameraIdentity>(),
                Capture = capture is null ? null : () => capture.Status,
                FrameQueueDepth = frames is null ? null : () => frames.Count,
                Outbox = sp.GetService<Outbox>(),
                Broker = transport is null ? null : () => transport.Status,
                Watchlist = sp.GetService<WatchlistStore>(),
                Passes = sp.GetRequiredService<PassCounts>(),
                Models = ModelVersions.Read(
                    sp.GetRequiredService<IOptions<DetectionOptions>>().Value, sp.GetRequiredService<IOptions<RecognitionOptions>>().Value),
            };
        });
        services.AddHostedService(sp => new StatusServer(
            sp.GetRequiredService<StatusReport>(),
            sp.GetRequiredService<FrameTap>(),
            sp.GetRequiredService<IOptions<StatusOptions>>().Value,
            sp.GetRequiredService<IOptions<DetectionOptions>>().Value.RegionOfInterest,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<StatusServer>>()));
        return services;
    }
}
