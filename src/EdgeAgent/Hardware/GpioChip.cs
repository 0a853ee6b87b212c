namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// One GPIO chip (<c>/dev/gpiochipN</c>): the seam between the agent and the board's pins. Lines are requested once, as
/// an output or an input, and then written, read or listened to. Values are logical: <c>true</c> is active, and a line
/// requested active-low is active when its pin is low (the kernel inverts, both ways, and in edge events).
/// <see cref="Open"/> gives the real chip (uAPI v2, see DESIGN.md "GPIO"); <see cref="SimulatedGpioChip"/> stands in for
/// it in tests and on machines without GPIO.
/// </summary>
/// <remarks>
/// The chip owns its lines: disposing it releases every line it requested. A released output is no longer driven
/// by the agent (the kernel keeps or resets its value as the driver chooses), so whoever drove it switches it off
/// first. The members are safe to call from several threads.
/// </remarks>
public abstract class GpioChip : IDisposable
{
    /// <summary>Line numbers this agent accepts, 0 to <c>MaxLines - 1</c> (no board we ship has more).</summary>
    public const int MaxLines = 512;

    /// <summary>The consumer label the kernel shows against our lines (<c>gpioinfo</c>).</summary>
    public const string Consumer = "edge-anpr";

    /// <summary>Opens a GPIO character device such as <c>/dev/gpiochip0</c>.</summary>
    /// <param name="path">The chip's device node.</param>
    /// <param name="time">The clock that edge event timestamps are given in; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="GpioException">The chip does not exist, may not be opened by this user, or is not a GPIO chip; the message says which and what to do.</exception>
    public static GpioChip Open(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return LinuxGpioChip.OpenDevice(path, time ?? TimeProvider.System);
    }

    /// <summary>The chip's device path (or a simulated chip's name), for messages.</summary>
    public abstract string Name { get; }

    /// <summary>How many lines the chip has; line numbers run from 0 to one less.</summary>
    public abstract int LineCount { get; }

    /// <summary>Requests a line as an output and drives it to <paramref name="value"/> at once (no glitch on request).</summary>
    public abstract void OpenOutput(int line, bool value, bool activeLow = false);

    /// <summary>Requests a line as an input with the given polarity, bias, edge detection and debounce.</summary>
    public abstract void OpenInput(int line, GpioInputSettings settings);

    /// <summary>Sets an output line's logical value.</summary>
    public abstract void Write(int line, bool value);

    /// <summary>Reads a line's logical value: an input's debounced value when it debounces, an output's driven value.</summary>
    public abstract bool Read(int line);

    /// <summary>
    /// Waits for the next edge on an input requested with edge detection. Events queue in the kernel (16 per line) while
    /// nobody reads; when that overflows the oldest are lost, which shows as a gap in <see cref="GpioEdgeEvent.LineSequence"/>.
    /// Meant for one reader per line.
    /// </summary>
    public abstract ValueTask<GpioEdgeEvent> ReadEdgeAsync(int line, CancellationToken cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);

    /// <summary>Throws unless <paramref name="line"/> is one of this chip's lines.</summary>
    protected void CheckLine(int line)
    {
        if (line < 0 || line >= LineCount)
        {
            throw new GpioException($"GPIO line {line} does not exist on {Name}, which has lines 0 to {LineCount - 1}.");
        }
    }
}
