using System.CommandLine;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Pipeline;
using Microsoft.Extensions.Hosting;

namespace EdgeAnpr.Agent.Cli;

/// <summary><c>edge-anpr run</c>: the service, as systemd starts it.</summary>
internal static class RunCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CommonOptions.Config();
        var command = new Command("run", "Run the service: read the configured camera until stopped") { config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (ValidatedConfiguration.Load(console, parse.GetValue(config)) is not { } configuration)
            {
                return ExitCodes.BadInput;
            }

            var run = new AgentRun(AgentMode.Run);
            using var host = AgentHost.Build(configuration, run);
            await AgentHost.RunAsync(host, run, cancellationToken);
            return run.Problem is { } problem ? console.Fail(run.ExitCode, problem) : ExitCodes.Ok;
        });
        return command;
    }
}
