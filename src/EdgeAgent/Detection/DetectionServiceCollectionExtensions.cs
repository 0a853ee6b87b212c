using EdgeAnpr.Agent.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Detection;

/// <summary>Registers the plate detector and the per-frame detection stage; the container disposes the detector.</summary>
internal static class DetectionServiceCollectionExtensions
{
    /// <summary>
    /// The model is loaded (and checked against its contract) when <see cref="PlateDetector"/> is first resolved;
    /// resolve it before the camera opens so a wrong or missing model stops start-up with its file named.
    /// </summary>
    public static IServiceCollection AddDetection(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DetectionOptions>>().Value;
            return PlateDetector.FromFile(
                options.ResolvedModelPath,
                sp.GetRequiredService<IOptions<InferenceOptions>>().Value,
                options.ScoreThreshold,
                sp.GetRequiredService<ILogger<PlateDetector>>());
        });
        services.AddSingleton(sp => new DetectionStage(
            sp.GetRequiredService<PlateDetector>(),
            sp.GetRequiredService<IOptions<DetectionOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DetectionStage>>()));
        return services;
    }
}
