using System.CommandLine;

namespace EdgeAnpr.Agent.Cli;

/// <summary>The <c>edge-anpr</c> command: the service and the technician's tools in one executable.</summary>
internal static class AgentCommandLine
{
    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var console = new CliConsole(output ?? Console.Out, error ?? Console.Error)
        {
            // Under systemd stderr is the journal (JOURNAL_STREAM set): the one-line failure is an error there too.
            ErrorPrefix = error is null && Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null ? "<3>" : "",
        };
        var root = new RootCommand("EdgeAnpr: reads number plates beside a roadside camera and reports watchlist hits.")
        {
            RunCommand.Create(console),
            ReplayCommand.Create(console),
            EvalCommand.Create(console),
            DoctorCommand.Create(console),
            ConfigCommand.Create(console),
            StationListenCommand.Create(console),
            WatchlistCommand.Create(console),
            KeysCommand.Create(console),
            StatusCommand.Create(console),
            SnapshotCommand.Create(console),
            AimCommand.Create(console),
            OutboxCommand.Create(console),
            GpioCommand.Create(console),
            MqttCommand.Create(console),
            LogsCommand.Create(console),
        };
        StationCommand.AddTo(root, console);

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,

            // The host handles SIGTERM/SIGINT itself and stops within its own timeout; the parser's
            // handler would end the process before ffmpeg children are reaped.
            ProcessTerminationTimeout = null,
        };
        return InvokeAsync(root.Parse(args), invocation);
    }

    private static async Task<int> InvokeAsync(ParseResult parse, InvocationConfiguration invocation)
    {
        var exitCode = await parse.InvokeAsync(invocation);

        // The technician's agent verbs keep 1 for "problems found"; a bad command line is EX_USAGE there.
        return parse.Errors.Count > 0 && CliExitCodes.UsageCodeVerbs.Contains(parse.CommandResult.Command.Name) ? CliExitCodes.Usage : exitCode;
    }
}

/// <summary>Where a command writes: results to <see cref="Out"/>, problems to <see cref="Error"/>.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error)
{
    /// <summary>What starts each problem line: the syslog priority <c>&lt;3&gt;</c> (error) when stderr is the journal.</summary>
    public string ErrorPrefix { get; init; } = "";

    /// <summary>Writes one problem line, prefixed with the program name, and returns the exit code.</summary>
    public int Fail(int exitCode, string problem)
    {
        Error.WriteLine($"{ErrorPrefix}edge-anpr: {problem}");
        return exitCode;
    }
}
