namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// One wired part as the technician names it (<c>relay</c>, <c>led</c>, <c>loop</c>) with its configured line: the
/// configuration key, the chip offset, whether the agent drives it or reads it, its polarity and pull resistor.
/// </summary>
internal sealed record GpioPart(string Name, string Key, int Line, bool IsOutput, bool ActiveLow, GpioBias Bias)
{
    /// <summary>The names a technician may type for each part, first the one shown.</summary>
    private static readonly (string Key, string[] Names)[] Names =
    [
        ("Gpio:Relay", ["relay", "beacon"]),
        ("Gpio:StatusLed", ["led", "status-led", "statusled"]),
        ("Gpio:LoopDetector", ["loop", "loop-detector", "loopdetector"]),
    ];

    /// <summary>The parts configured (a section present with its line), in the order above.</summary>
    public static IReadOnlyList<GpioPart> Configured(GpioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parts = new List<GpioPart>();
        if (options.Relay is { Line: >= 0 } relay)
        {
            parts.Add(new GpioPart("relay", Names[0].Key, relay.Line, IsOutput: true, relay.ActiveLow, GpioBias.AsIs));
        }

        if (options.StatusLed is { Line: >= 0 } led)
        {
            parts.Add(new GpioPart("led", Names[1].Key, led.Line, IsOutput: true, led.ActiveLow, GpioBias.AsIs));
        }

        if (options.LoopDetector is { Line: >= 0 } loop)
        {
            parts.Add(new GpioPart("loop", Names[2].Key, loop.Line, IsOutput: false, loop.ActiveLow, loop.Bias));
        }

        return parts;
    }

    /// <summary>The configured part called <paramref name="name"/>, or null with <paramref name="problem"/> naming what is wrong.</summary>
    public static GpioPart? Find(GpioOptions options, string name, out string problem)
    {
        var known = Names.FirstOrDefault(n => n.Names.Contains(name.Trim().ToLowerInvariant()));
        if (known.Key is null)
        {
            problem = $"'{name}' is not a part: relay, led or loop (Gpio:Relay, Gpio:StatusLed, Gpio:LoopDetector).";
            return null;
        }

        var part = Configured(options).FirstOrDefault(p => p.Key == known.Key);
        problem = part is null ? $"{known.Key} is not configured: give {known.Key}:Line in the configuration." : "";
        return part;
    }

    /// <summary>What the part's active state means, for people.</summary>
    public string Meaning(bool active) => (Name, active) switch
    {
        ("loop", true) => "vehicle present",
        ("loop", false) => "no vehicle",
        (_, true) => "on",
        _ => "off",
    };
}
