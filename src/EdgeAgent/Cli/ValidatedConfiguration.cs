using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Hosting;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Cli;

/// <summary>Loads and checks a configuration before anything is opened, so a typo stops start-up with the key's name.</summary>
internal static class ValidatedConfiguration
{
    /// <summary>The configuration, or null after printing each problem on its own line.</summary>
    public static IConfigurationRoot? Load(CliConsole console, string? path, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        IConfigurationRoot configuration;
        try
        {
            configuration = AgentConfiguration.Load(path, overrides);
        }
        catch (ConfigurationException ex)
        {
            console.Fail(0, ex.Message);
            return null;
        }

        var problems = ConfigurationValidator.Validate(configuration).ToList();
        if (problems.Count == 0)
        {
            try
            {
                CameraSource.Parse(configuration[$"{CameraOptions.SectionName}:{nameof(CameraOptions.Source)}"] ?? "");
            }
            catch (CaptureException ex)
            {
                problems.Add($"Camera:Source: {ex.Message}");
            }
        }

        foreach (var problem in problems)
        {
            console.Fail(0, problem);
        }

        return problems.Count == 0 ? configuration : null;
    }

    /// <summary>
    /// The configuration with only <paramref name="sections"/> checked, for a tool that needs those alone (a technician
    /// can still use it on a box whose camera settings are broken); or null after printing each problem on its own line.
    /// </summary>
    public static IConfigurationRoot? LoadSections(CliConsole console, string? path, params OptionsEntry[] sections)
    {
        IConfigurationRoot configuration;
        try
        {
            configuration = AgentConfiguration.Load(path);
        }
        catch (ConfigurationException ex)
        {
            console.Fail(0, ex.Message);
            return null;
        }

        var problems = sections.SelectMany(s => s.Check(configuration)).ToList();
        foreach (var problem in problems)
        {
            console.Fail(0, problem);
        }

        return problems.Count == 0 ? configuration : null;
    }
}
