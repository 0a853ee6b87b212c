using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Recognition;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// What the tools that run the models on their own (<c>eval</c>, <c>replay FOLDER</c>) take from the configuration:
/// the Detection, Recognition and Inference sections, only these checked, with the regions replaced when given.
/// </summary>
internal sealed record ModelSettings(DetectionOptions Detection, RecognitionOptions Recognition, InferenceOptions Inference)
{
    /// <summary>The settings, or null after printing each problem on its own line.</summary>
    public static ModelSettings? Load(CliConsole console, string? configPath, string? region)
    {
        if (ValidatedConfiguration.LoadSections(
                console,
                configPath,
                new OptionsEntry<DetectionOptions, DetectionOptionsValidator>(DetectionOptions.SectionName),
                new OptionsEntry<RecognitionOptions, RecognitionOptionsValidator>(RecognitionOptions.SectionName),
                new OptionsEntry<InferenceOptions, InferenceOptionsValidator>(InferenceOptions.SectionName)) is not { } configuration)
        {
            return null;
        }

        var detection = new DetectionOptions();
        configuration.GetSection(DetectionOptions.SectionName).Bind(detection);
        var recognition = new RecognitionOptions();
        configuration.GetSection(RecognitionOptions.SectionName).Bind(recognition);
        if (region is not null)
        {
            recognition.Regions.Clear();
            recognition.Regions.Add(region);
        }

        var inference = new InferenceOptions();
        configuration.GetSection(InferenceOptions.SectionName).Bind(inference);
        return new ModelSettings(detection, recognition, inference);
    }
}
