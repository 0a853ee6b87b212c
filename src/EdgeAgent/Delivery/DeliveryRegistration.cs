using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Delivery;

internal static class DeliveryRegistration
{
    /// <summary>
    /// Adds hit delivery: the event factory, <see cref="DeliveryService"/> (a singleton the pipeline submits hits to,
    /// and a hosted service publishing them) and <see cref="HeartbeatService"/>. Call after <c>AddStorage</c> and
    /// <c>AddMqtt</c>: hosted services stop in reverse order, so delivery then stops before the MQTT connection is
    /// closed. Without MQTT (no <see cref="MqttTransport"/> registered) hits are stored only. The heartbeat reads the
    /// watchlist version from a registered <see cref="WatchlistVersionReader"/>, or else from the
    /// <see cref="WatchlistStore"/>'s sync state.
    /// </summary>
    public static IServiceCollection AddDelivery(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new CameraIdentity(
            sp.GetRequiredService<IOptions<SiteOptions>>().Value.Id,
            sp.GetRequiredService<IOptions<CameraOptions>>().Value.Id));
        services.AddSingleton(sp => new HitEventFactory(
            sp.GetRequiredService<CameraIdentity>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.ImageQuality));
        services.AddSingleton(sp => new DeliveryService(
            sp.GetRequiredService<Outbox>(),
            sp.GetRequiredService<HitEventFactory>(),
            sp.GetRequiredService<IOptions<DeliveryOptions>>().Value,
            sp.GetService<MqttTransport>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DeliveryService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryService>());
        services.AddSingleton(sp =>
        {
            var capture = sp.GetService<CaptureService>();
            var frames = sp.GetService<FrameQueue>();
            var watchlist = sp.GetService<WatchlistVersionReader>()
                ?? (sp.GetService<WatchlistStore>() is { } store ? () => store.CurrentVersion?.Version : null);
            return new HeartbeatService(
                sp.GetRequiredService<Outbox>(),
                sp.GetRequiredService<DeliveryService>(),
                sp.GetRequiredService<CameraIdentity>(),
                sp.GetRequiredService<IOptions<DeliveryOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<HeartbeatService>>())
            {
                Transport = sp.GetService<MqttTransport>(),
                Capture = capture is null ? null : () => capture.Status,
                FrameQueueDepth = frames is null ? null : () => frames.Count,
                WatchlistVersion = watchlist,
            };
        });
        services.AddHostedService(sp => sp.GetRequiredService<HeartbeatService>());
        return services;
    }
}
