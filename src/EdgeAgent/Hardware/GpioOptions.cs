using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// The box's GPIO wiring (section <c>Gpio</c>): a relay or beacon pulsed on a watchlist hit, a status LED, and an
/// optional inductive-loop detector, through System.Device.Gpio over libgpiod (Debian package <c>libgpiod2</c>, see
/// <see cref="LibGpiod"/>). Off by default (<see cref="Enabled"/>): with GPIO off the agent opens no chip and needs no
/// libgpiod; with it on, a missing chip or library stops the start with one line naming it. A part whose section is
/// absent is not wired. See hardware/README.md for the parts.
/// </summary>
/// <remarks>
/// Keys: <c>Gpio:Enabled</c> (false), <c>Gpio:Chip</c> (<see cref="DefaultChip"/>), <c>Gpio:Relay:Line</c> and
/// <c>:ActiveLow</c>, <c>Gpio:StatusLed:Line</c> and <c>:ActiveLow</c>, <c>Gpio:LoopDetector:Line</c>, <c>:ActiveLow</c>,
/// <c>:Debounce</c> (<see cref="LoopDetectorOptions.DefaultDebounce"/>, 0 to 1 s) and <c>:Bias</c> (AsIs, PullUp,
/// PullDown), <c>Gpio:PulseByPriority:N</c>. Lines are the chip's line offsets, 0 to <see cref="MaxLines"/> - 1, one part
/// per line.
/// </remarks>
public sealed partial class GpioOptions : IValidatableObject
{
    public const string SectionName = "Gpio";

    /// <summary>Default <see cref="Chip"/>: the SoC's own GPIO on a Raspberry Pi (its 40-pin header).</summary>
    public const string DefaultChip = "/dev/gpiochip0";

    /// <summary>Line numbers this agent accepts, 0 to <c>MaxLines - 1</c> (no board we ship has more).</summary>
    public const int MaxLines = 512;

    /// <summary>Shortest and longest relay pulse.</summary>
    public static readonly TimeSpan MinPulse = TimeSpan.FromMilliseconds(10);

    /// <inheritdoc cref="MinPulse"/>
    public static readonly TimeSpan MaxPulse = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The pulse lengths used when <see cref="PulseByPriority"/> is empty: priority 1 for 5 s, 2 for 2 s, 3 and above
    /// for 1 s (and anything below 1 as 1).
    /// </summary>
    public static IReadOnlyDictionary<int, TimeSpan> DefaultPulseByPriority { get; } = new Dictionary<int, TimeSpan>
    {
        [1] = TimeSpan.FromSeconds(5),
        [2] = TimeSpan.FromSeconds(2),
        [3] = TimeSpan.FromSeconds(1),
    };

    /// <summary>Use the GPIO lines at all; default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The chip's device node, <c>/dev/gpiochipN</c>; default <see cref="DefaultChip"/>.</summary>
    [Required]
    public string Chip { get; set; } = DefaultChip;

    /// <summary>The relay or beacon output pulsed on a hit; absent when none is wired.</summary>
    [ValidateObjectMembers]
    public GpioOutputOptions? Relay { get; set; }

    /// <summary>The status LED output; absent when none is wired.</summary>
    [ValidateObjectMembers]
    public GpioOutputOptions? StatusLed { get; set; }

    /// <summary>The loop detector's input; absent when none is wired.</summary>
    [ValidateObjectMembers]
    public LoopDetectorOptions? LoopDetector { get; set; }

    /// <summary>
    /// How long the relay is on for a hit, by the watchlist entry's priority (<c>"Gpio:PulseByPriority:1": "00:00:05"</c>;
    /// keys are whole numbers, kept as text so that a typo is reported rather than skipped by the binder). A priority
    /// takes the entry of the largest key not above it, and one below every key takes the smallest key's; so with the
    /// defaults 3, 4 and 9 all get 1 s. Empty (the default) means <see cref="DefaultPulseByPriority"/>; a configured table
    /// replaces the defaults as a whole. Each length between <see cref="MinPulse"/> and <see cref="MaxPulse"/>.
    /// </summary>
    public Dictionary<string, TimeSpan> PulseByPriority { get; set; } = [];

    /// <summary>The relay pulse for a hit of <paramref name="priority"/>, by the rule of <see cref="PulseByPriority"/>.</summary>
    public TimeSpan PulseFor(int priority)
    {
        var table = PulseTable();
        var key = table.Keys.Where(k => k <= priority).DefaultIfEmpty(table.Keys.Min()).Max();
        return table[key];
    }

    private IReadOnlyDictionary<int, TimeSpan> PulseTable()
    {
        var table = new Dictionary<int, TimeSpan>();
        foreach (var (key, length) in PulseByPriority)
        {
            if (TryParsePriority(key, out var priority))
            {
                table[priority] = length;
            }
        }

        return table.Count > 0 ? table : DefaultPulseByPriority;
    }

    [GeneratedRegex("^/dev/gpiochip([0-9]{1,4})$")]
    private static partial Regex ChipPath();

    private static bool TryParsePriority(string key, out int priority) =>
        int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out priority);

    /// <summary>The N of a <c>/dev/gpiochipN</c> path (libgpiod opens chips by number); -1 when the path is not one.</summary>
    public static int ChipNumber(string chip)
    {
        var match = ChipPath().Match(chip ?? "");
        return match.Success && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : -1;
    }

    /// <summary>Checks across keys; each message names its key.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ChipNumber(Chip) < 0)
        {
            yield return new ValidationResult(
                $"Gpio:Chip is '{Chip}'; it must name a GPIO chip device such as /dev/gpiochip0 (`ls /dev/gpiochip*` lists them).", [nameof(Chip)]);
        }

        var used = new Dictionary<int, string>();
        foreach (var (name, line) in new[] { (nameof(Relay), Relay?.Line), (nameof(StatusLed), StatusLed?.Line), (nameof(LoopDetector), LoopDetector?.Line) })
        {
            if (line is not { } number)
            {
                continue;
            }

            if (!used.TryAdd(number, name))
            {
                yield return new ValidationResult(
                    $"Gpio:{name}:Line is {number}, the same line as Gpio:{used[number]}:Line: each part needs its own line.", [name]);
            }
        }

        foreach (var (priority, length) in PulseByPriority)
        {
            if (!TryParsePriority(priority, out _))
            {
                yield return new ValidationResult(
                    $"Gpio:PulseByPriority:{priority} is not a priority: the keys are whole numbers, as in Gpio:PulseByPriority:1.", [nameof(PulseByPriority)]);
            }
            else if (length < MinPulse || length > MaxPulse)
            {
                yield return new ValidationResult(
                    $"Gpio:PulseByPriority:{priority} is {length}; a pulse must be between 00:00:00.010 and 00:10:00.", [nameof(PulseByPriority)]);
            }
        }
    }
}

/// <summary>One GPIO output (<c>Gpio:Relay</c>, <c>Gpio:StatusLed</c>).</summary>
public sealed class GpioOutputOptions
{
    /// <summary>The line's number on the chip (the BCM number on a Raspberry Pi, not the header pin), 0 to 511; required.</summary>
    [Range(0, GpioOptions.MaxLines - 1)]
    public int Line { get; set; } = -1;

    /// <summary>The part is on when the pin is low (a relay module with an active-low input, an LED wired to 3.3 V).</summary>
    public bool ActiveLow { get; set; }
}

/// <summary>The inductive-loop detector's input (<c>Gpio:LoopDetector</c>): active while a vehicle is over the loop.</summary>
public sealed class LoopDetectorOptions
{
    /// <summary>Default <see cref="Debounce"/>: 20 ms, longer than a relay contact's bounce and far shorter than a car.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(20);

    /// <summary>The line's number on the chip, 0 to 511; required.</summary>
    [Range(0, GpioOptions.MaxLines - 1)]
    public int Line { get; set; } = -1;

    /// <summary>A vehicle is present when the pin is low (an optocoupler pulling the line down).</summary>
    public bool ActiveLow { get; set; }

    /// <summary>
    /// How long the input must hold a new level before it counts, 0 to 1 s; default <see cref="DefaultDebounce"/>. Done in
    /// software on the agent's clock (libgpiod 1.x has no debounce): every edge restarts the wait, and a change is dated
    /// at its last edge, when the contact settled. Zero takes every edge as it comes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan Debounce { get; set; } = DefaultDebounce;

    /// <summary>
    /// The pull resistor; default <see cref="GpioBias.AsIs"/>. <c>PullUp</c> for an open-collector output without its own
    /// resistor. Needs libgpiod 1.5 or later (Debian 12 has 1.6.3).
    /// </summary>
    [EnumDataType(typeof(GpioBias))]
    public GpioBias Bias { get; set; } = GpioBias.AsIs;
}

/// <summary>An input's pull resistor, as System.Device.Gpio can request it. <see cref="AsIs"/> leaves it to the board (device tree, firmware).</summary>
public enum GpioBias
{
    AsIs,
    PullUp,
    PullDown,
}
