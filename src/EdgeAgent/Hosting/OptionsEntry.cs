using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Hosting;

/// <summary>One configuration section and the options class it binds to.</summary>
internal abstract class OptionsEntry(string section, Type optionsType)
{
    public string Section { get; } = section;

    public Type OptionsType { get; } = optionsType;

    /// <summary>Binds and validates the section; returns the problems, each naming its key.</summary>
    public abstract IReadOnlyList<string> Check(IConfiguration configuration);

    /// <summary>Registers the options with the container, validated when the host starts.</summary>
    public abstract void Register(IServiceCollection services, IConfiguration configuration);
}

internal sealed class OptionsEntry<TOptions, TValidator>(string section) : OptionsEntry(section, typeof(TOptions))
    where TOptions : class, new()
    where TValidator : class, IValidateOptions<TOptions>, new()
{
    public override IReadOnlyList<string> Check(IConfiguration configuration)
    {
        var options = new TOptions();
        try
        {
            configuration.GetSection(Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the type ("Failed to convert configuration value at 'Capture:StallTimeout' to type 'System.TimeSpan'").
            return [ex.Message];
        }

        var result = new TValidator().Validate(Options.DefaultName, options);
        return result.Failed ? result.Failures.Select(f => $"{Section}: {f}").ToArray() : [];
    }

    public override void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<TOptions>()
            .Bind(configuration.GetSection(Section), binder => binder.ErrorOnUnknownConfiguration = true);
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }
}
