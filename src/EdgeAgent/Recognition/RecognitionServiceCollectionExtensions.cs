using EdgeAnpr.Agent.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>Registers the plate readers; the container disposes them (and their ONNX Runtime sessions).</summary>
internal static class RecognitionServiceCollectionExtensions
{
    /// <summary>
    /// The readers of the configured regions, loaded when first resolved: resolve <see cref="PlateReaders"/> before the
    /// camera opens, so a missing model or a contract that does not fit it stops start-up with the file's name.
    /// </summary>
    public static IServiceCollection AddPlateReaders(this IServiceCollection services)
    {
        services.AddSingleton(sp => PlateReaders.Open(
            sp.GetRequiredService<IOptions<RecognitionOptions>>().Value,
            sp.GetRequiredService<IOptions<InferenceOptions>>().Value,
            sp.GetRequiredService<ILogger<PlateReaders>>()));
        return services;
    }
}
