namespace EdgeAnpr.Agent.Hardware;

/// <summary>An input's pull resistor. <see cref="AsIs"/> leaves the pin's electrical setting to the board (device tree, firmware).</summary>
public enum GpioBias
{
    AsIs,
    Disabled,
    PullUp,
    PullDown,
}

/// <summary>Which changes of an input's logical value produce edge events.</summary>
[Flags]
public enum GpioEdges
{
    None = 0,

    /// <summary>Inactive to active.</summary>
    Rising = 1,

    /// <summary>Active to inactive.</summary>
    Falling = 2,

    Both = Rising | Falling,
}

/// <summary>The direction of one edge event, in logical terms (<c>enum gpio_v2_line_event_id</c>).</summary>
public enum GpioEdge
{
    /// <summary>The line became active.</summary>
    Rising = 1,

    /// <summary>The line became inactive.</summary>
    Falling = 2,
}

/// <summary>How an input line is requested.</summary>
/// <param name="ActiveLow">The line is active when its pin is low.</param>
/// <param name="Edges">Which edges produce events for <see cref="GpioChip.ReadEdgeAsync"/>.</param>
/// <param name="Debounce">
/// Zero for none; otherwise the kernel reports a change only once the pin has held its new level this long, and every
/// bounce restarts the wait (<c>drivers/gpio/gpiolib-cdev.c</c>, <c>debounce_irq_handler</c>). Whole microseconds.
/// </param>
/// <param name="Bias">The pull resistor.</param>
public sealed record GpioInputSettings(bool ActiveLow = false, GpioEdges Edges = GpioEdges.Both, TimeSpan Debounce = default, GpioBias Bias = GpioBias.AsIs);

/// <summary>One edge on an input line.</summary>
/// <param name="Line">The line's number on its chip.</param>
/// <param name="Edge">Whether the line became active or inactive.</param>
/// <param name="Timestamp">
/// When the kernel saw it, in <see cref="TimeProvider.GetTimestamp"/> units of the chip's clock (comparable with
/// <c>Frame.Timestamp</c>). A debounced edge is stamped when the debounce period ended, not at the first bounce.
/// </param>
/// <param name="LineSequence">Counts the line's events from 1; a gap means events were lost.</param>
public readonly record struct GpioEdgeEvent(int Line, GpioEdge Edge, long Timestamp, uint LineSequence);
