using System.CommandLine;
using EdgeAnpr.Agent.Hosting;

namespace EdgeAnpr.Agent.Cli;

/// <summary>Options several commands share, made fresh per command (an option belongs to one parent).</summary>
internal static class CommonOptions
{
    public static Option<string?> Config() => new("--config", "-c")
    {
        Description = $"Configuration file (default {AgentConfiguration.DefaultPath} when present)",
        HelpName = "FILE",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print JSON lines for programs instead of text for people",
    };
}
