using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Agent.Status;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Systemd;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Agent.Watchlist;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAnpr.Agent.Hosting;

/// <summary>
/// Every configuration section the agent understands. The unknown-key check, <c>config check</c> and the
/// host all read this one list, so a section cannot be bound without also being checked.
/// </summary>
internal static class OptionsCatalog
{
    /// <summary>Sections owned by the framework, passed through unchecked.</summary>
    public static readonly IReadOnlySet<string> FrameworkSections = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Logging" };

    public static IReadOnlyList<OptionsEntry> Entries { get; } =
    [
        new OptionsEntry<SiteOptions, SiteOptionsValidator>(SiteOptions.SectionName),
        new OptionsEntry<CameraOptions, CameraOptionsValidator>(CameraOptions.SectionName),
        new OptionsEntry<CaptureOptions, CaptureOptionsValidator>(CaptureOptions.SectionName),
        new OptionsEntry<StorageOptions, StorageOptionsValidator>(StorageOptions.SectionName),
        new OptionsEntry<InferenceOptions, InferenceOptionsValidator>(InferenceOptions.SectionName),
        new OptionsEntry<OutboxOptions, OutboxOptionsValidator>(OutboxOptions.SectionName),
        new OptionsEntry<DetectionOptions, DetectionOptionsValidator>(DetectionOptions.SectionName),
        new OptionsEntry<RecognitionOptions, RecognitionOptionsValidator>(RecognitionOptions.SectionName),
        new OptionsEntry<TrackingOptions, TrackingOptionsValidator>(TrackingOptions.SectionName),
        new OptionsEntry<MqttOptions, MqttOptionsValidator>(MqttOptions.SectionName),
        new OptionsEntry<GpioOptions, GpioOptionsValidator>(GpioOptions.SectionName),
        new OptionsEntry<WatchlistOptions, WatchlistOptionsValidator>(WatchlistOptions.SectionName),
        new OptionsEntry<DeliveryOptions, DeliveryOptionsValidator>(DeliveryOptions.SectionName),
        new OptionsEntry<WatchdogOptions, WatchdogOptionsValidator>(WatchdogOptions.SectionName),
        new OptionsEntry<StatusOptions, StatusOptionsValidator>(StatusOptions.SectionName),
    ];

    public static IServiceCollection AddAgentOptions(this IServiceCollection services, IConfiguration configuration)
    {
        foreach (var entry in Entries)
        {
            entry.Register(services, configuration);
        }

        return services;
    }
}
