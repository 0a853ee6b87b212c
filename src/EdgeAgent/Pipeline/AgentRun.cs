namespace EdgeAnpr.Agent.Pipeline;

public enum AgentMode
{
    /// <summary>The service: live sources are retried for as long as it runs.</summary>
    Run,

    /// <summary>Process one input with the same pipeline and exit at its end.</summary>
    Replay,
}

/// <summary>Process exit codes of the <c>edge-anpr</c> command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>An unexpected failure; the log says what.</summary>
    public const int Failure = 1;

    /// <summary>Bad input or configuration: a missing file, not a video, an unknown key.</summary>
    public const int BadInput = 2;

    /// <summary>The input ended but hits were still undelivered when the drain timeout expired.</summary>
    public const int DrainTimeout = 3;

    /// <summary>A doctor check failed.</summary>
    public const int CheckFailed = 4;
}

/// <summary>How this run of the pipeline is meant to go, and how it went: the mode in, the exit code out.</summary>
public sealed class AgentRun(AgentMode mode)
{
    private volatile string? _problem;
    private int _exitCode = ExitCodes.Ok;

    public AgentMode Mode { get; } = mode;

    /// <summary>
    /// Whether passes are matched against the watchlist and hits stored and delivered: always in <c>run</c>; in
    /// <c>replay</c> only with an explicit <c>--config</c>, so a recording played on a box cannot report hits by accident.
    /// </summary>
    public bool Matches { get; init; } = mode == AgentMode.Run;

    public int ExitCode => Volatile.Read(ref _exitCode);

    /// <summary>One line naming what went wrong, or null.</summary>
    public string? Problem => _problem;

    /// <summary>Records the first failure; later ones do not overwrite it.</summary>
    public void Fail(int exitCode, string problem)
    {
        if (Interlocked.CompareExchange(ref _exitCode, exitCode, ExitCodes.Ok) == ExitCodes.Ok)
        {
            _problem = problem;
        }
    }
}
