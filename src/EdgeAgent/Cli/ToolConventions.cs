namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// The exit codes of the technician's tools (<c>outbox</c>, <c>gpio</c>, <c>mqtt test</c>, <c>logs bundle</c>). The
/// usage and bad-input codes are <c>EX_USAGE</c> and <c>EX_DATAERR</c> of sysexits(3), so a script can tell "you called
/// it wrong" from "it ran and failed". A command line the parser itself rejects (an unknown option) exits 1 with the
/// parser's message.
/// </summary>
internal static class ToolExit
{
    /// <summary>It worked.</summary>
    public const int Ok = 0;

    /// <summary>It ran and the check or operation failed (the round trip did not come back, the database refused the change).</summary>
    public const int Failed = 1;

    /// <summary>What it needs could not be reached or is held by someone else: the broker, the GPIO lines the agent holds.</summary>
    public const int Unreachable = 2;

    /// <summary>Called wrong: a required choice missing, or a destructive command unconfirmed (sysexits EX_USAGE).</summary>
    public const int Usage = 64;

    /// <summary>Bad input: an unknown id or line, a bad duration, a configuration that cannot be used (sysexits EX_DATAERR).</summary>
    public const int BadInput = 65;

    /// <summary>The line every tool's help ends with.</summary>
    public const string Help = "Exit codes: 0 ok, 1 failed, 2 unreachable or held by the agent, 64 usage, 65 bad input.";
}

/// <summary>
/// Where a tool asks a person for confirmation: standard input, and whether it is a terminal. A tool never asks a
/// script (stdin not a terminal); it refuses instead, so a destructive command cannot be confirmed by accident.
/// </summary>
internal sealed record ToolTerminal(TextReader Input, bool IsInteractive, bool Colour)
{
    /// <summary>This process's console: interactive when stdin is a terminal; colour when stdout is one and <c>NO_COLOR</c> is unset (https://no-color.org).</summary>
    public static ToolTerminal Console { get; } = new(
        System.Console.In,
        !System.Console.IsInputRedirected,
        !System.Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
            && Environment.GetEnvironmentVariable("TERM") is not "dumb");

    /// <summary>No terminal at all: what tests and pipes get.</summary>
    public static ToolTerminal None { get; } = new(TextReader.Null, false, false);

    /// <summary>True once the person typed <c>yes</c>; false for anything else, end of input, or no terminal.</summary>
    public bool Confirm(TextWriter prompt, string question)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (!IsInteractive)
        {
            return false;
        }

        prompt.Write($"{question} Type yes to go on: ");
        prompt.Flush();
        return string.Equals(Input.ReadLine()?.Trim(), "yes", StringComparison.Ordinal);
    }

    /// <summary><paramref name="text"/> in green (good) or red (bad) on a colour terminal; as is otherwise.</summary>
    public string Paint(string text, bool good) => Colour ? $"\u001b[{(good ? "32" : "31")}m{text}\u001b[0m" : text;
}
