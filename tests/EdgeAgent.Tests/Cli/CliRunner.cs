using EdgeAnpr.Agent.Cli;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary>Runs the <c>edge-anpr</c> command line in this process and captures what it prints.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await AgentCommandLine.InvokeAsync(args, output, error);
        return new Result(exitCode, output.ToString(), error.ToString());
    }
}
