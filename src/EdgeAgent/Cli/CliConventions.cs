namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// Exit codes of the technician's verbs that talk to the running agent (<c>status</c>, <c>snapshot</c>, <c>aim</c>).
/// The service's own codes are <see cref="Pipeline.ExitCodes"/>; these differ on purpose where a script needs to tell
/// "the box has problems" from "the agent is not there".
/// </summary>
internal static class CliExitCodes
{
    /// <summary>Healthy (<c>status</c>), or done.</summary>
    public const int Ok = 0;

    /// <summary><c>status</c> found problems; <c>snapshot</c> or <c>aim</c>: the agent answered but could not do it (no frame).</summary>
    public const int Problems = 1;

    /// <summary>No agent answers on the status socket (not running, or no permission to ask it).</summary>
    public const int AgentUnreachable = 2;

    /// <summary>Bad command line: an unknown option or a value out of range (sysexits.h <c>EX_USAGE</c>).</summary>
    public const int Usage = 64;

    /// <summary>The configuration file is missing or wrong (sysexits.h <c>EX_CONFIG</c>).</summary>
    public const int Configuration = 78;

    /// <summary>The verbs whose parse errors exit <see cref="Usage"/> (System.CommandLine's own is 1, which here means problems).</summary>
    public static readonly IReadOnlySet<string> UsageCodeVerbs = new HashSet<string>(StringComparer.Ordinal) { "status", "snapshot", "aim" };
}

/// <summary>
/// Colour for people, plain text for programs: colour only when stdout is a terminal and <c>NO_COLOR</c> is unset or
/// empty (no-color.org), and <c>TERM</c> is not <c>dumb</c>.
/// </summary>
internal sealed class CliStyle
{
    private const string Reset = "\e[0m";

    private CliStyle(bool colour, bool terminal)
    {
        Colour = colour;
        Terminal = terminal;
    }

    /// <summary>Whether escape sequences are written.</summary>
    public bool Colour { get; }

    /// <summary>Whether stdout is a terminal (a line can be redrawn in place).</summary>
    public bool Terminal { get; }

    public static CliStyle For(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var terminal = ReferenceEquals(console.Out, Console.Out) && !Console.IsOutputRedirected;
        var colour = terminal
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
            && Environment.GetEnvironmentVariable("TERM") != "dumb";
        return new CliStyle(colour, terminal);
    }

    public string Good(string text) => Paint(text, "\e[32m");

    public string Bad(string text) => Paint(text, "\e[1;31m");

    public string Warn(string text) => Paint(text, "\e[33m");

    public string Dim(string text) => Paint(text, "\e[2m");

    private string Paint(string text, string code) => Colour ? code + text + Reset : text;
}
