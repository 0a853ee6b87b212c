using System.CommandLine;
using EdgeAnpr.Agent.Cli;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary>Runs one tool command built with a test's clock, terminal and seams, and captures what it prints.</summary>
internal static class ToolRunner
{
    public static async Task<CliRunner.Result> RunAsync(Func<CliConsole, Command> create, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error);
        var root = new RootCommand("test") { create(console) };
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new CliRunner.Result(exitCode, output.ToString(), error.ToString());
    }
}
