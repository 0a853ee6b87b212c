using System.CommandLine;
using EdgeAnpr.Agent.Pipeline;

namespace EdgeAnpr.Agent.Cli;

/// <summary><c>edge-anpr config check FILE</c>: validates a configuration file without starting anything.</summary>
internal static class ConfigCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("file") { Description = "The configuration file to check" };
        var check = new Command("check", "Check a configuration file: unknown keys, bad values, missing settings") { file };
        check.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                return console.Fail(ExitCodes.BadInput, $"Configuration file '{path}' does not exist.");
            }

            if (ValidatedConfiguration.Load(console, path) is null)
            {
                return ExitCodes.BadInput;
            }

            console.Out.WriteLine($"{path}: ok");
            return ExitCodes.Ok;
        });
        return new Command("config", "Work with configuration files") { check };
    }
}
