using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// The GPIO character device's uAPI v2, as declared in the kernel's <c>include/uapi/linux/gpio.h</c> (Linux 5.10 and
/// later; <c>EVENT_CLOCK_REALTIME</c> from 5.11). Layouts are byte for byte those of the header on 64-bit and 32-bit
/// Linux alike: every <c>__aligned_u64</c> sits on an 8-byte boundary and the kernel pads explicitly, so there is no
/// implicit padding to get wrong. Tests pin the sizes (592, 16, 48 bytes) and the ioctl numbers.
/// </summary>
internal static class GpioUapi
{
    /// <summary><c>GPIO_V2_LINES_MAX</c>: lines in one request.</summary>
    public const int LinesMax = 64;

    /// <summary><c>GPIO_MAX_NAME_SIZE</c>: chip names, labels and consumer strings, NUL included.</summary>
    public const int MaxNameSize = 32;

    /// <summary><c>GPIO_V2_LINE_NUM_ATTRS_MAX</c>.</summary>
    public const int NumAttrsMax = 10;

    /// <summary>The ioctl type of the GPIO character device (<c>0xB4</c>).</summary>
    public const byte IoctlType = 0xB4;

    /// <summary><c>GPIO_GET_CHIPINFO_IOCTL</c> = <c>_IOR(0xB4, 0x01, struct gpiochip_info)</c>.</summary>
    public const uint GetChipInfoIoctl = 0x8044B401;

    /// <summary><c>GPIO_V2_GET_LINE_IOCTL</c> = <c>_IOWR(0xB4, 0x07, struct gpio_v2_line_request)</c>, on the chip fd.</summary>
    public const uint GetLineIoctl = 0xC250B407;

    /// <summary><c>GPIO_V2_LINE_GET_VALUES_IOCTL</c> = <c>_IOWR(0xB4, 0x0E, struct gpio_v2_line_values)</c>, on the line fd.</summary>
    public const uint LineGetValuesIoctl = 0xC010B40E;

    /// <summary><c>GPIO_V2_LINE_SET_VALUES_IOCTL</c> = <c>_IOWR(0xB4, 0x0F, struct gpio_v2_line_values)</c>, on the line fd.</summary>
    public const uint LineSetValuesIoctl = 0xC010B40F;

    // include/uapi/asm-generic/ioctl.h: nr in bits 0-7, type 8-15, size 16-29, direction 30-31 (write 1, read 2).
    // arm, arm64 and x86 use these generic shifts (powerpc, mips and sparc do not, and are not boxes we ship).
    public static uint Ior(byte nr, int size) => Ioc(2, nr, size);

    public static uint Iowr(byte nr, int size) => Ioc(3, nr, size);

    private static uint Ioc(uint direction, byte nr, int size) =>
        (direction << 30) | ((uint)size << 16) | ((uint)IoctlType << 8) | nr;
}

/// <summary><c>enum gpio_v2_line_flag</c>: the line's direction, polarity, edges, drive, bias and event clock.</summary>
[Flags]
internal enum GpioLineFlags : ulong
{
    None = 0,
    Used = 1UL << 0,
    ActiveLow = 1UL << 1,
    Input = 1UL << 2,
    Output = 1UL << 3,
    EdgeRising = 1UL << 4,
    EdgeFalling = 1UL << 5,
    OpenDrain = 1UL << 6,
    OpenSource = 1UL << 7,
    BiasPullUp = 1UL << 8,
    BiasPullDown = 1UL << 9,
    BiasDisabled = 1UL << 10,
    EventClockRealtime = 1UL << 11,
}

/// <summary><c>enum gpio_v2_line_attr_id</c>: which member of the attribute's union is in use.</summary>
internal enum GpioLineAttributeId : uint
{
    Flags = 1,
    OutputValues = 2,
    Debounce = 3,
}

/// <summary><c>struct gpio_v2_line_attribute</c> (16 bytes): <c>id</c>, <c>padding</c>, then a union of the
/// <c>__aligned_u64</c> flags or values and the <c>__u32 debounce_period_us</c>, all at offset 8.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct GpioV2LineAttribute
{
    [FieldOffset(0)] public GpioLineAttributeId Id;
    [FieldOffset(4)] public uint Padding;
    [FieldOffset(8)] public GpioLineFlags Flags;
    [FieldOffset(8)] public ulong Values;
    [FieldOffset(8)] public uint DebouncePeriodUs;
}

/// <summary><c>struct gpio_v2_line_config_attribute</c> (24 bytes): an attribute and the bitmap of the request's
/// lines (indexes into <c>offsets</c>) it applies to.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpioV2LineConfigAttribute
{
    public GpioV2LineAttribute Attr;
    public ulong Mask;
}

[InlineArray(GpioUapi.NumAttrsMax)]
internal struct GpioV2LineConfigAttributes
{
    private GpioV2LineConfigAttribute _element;
}

/// <summary><c>struct gpio_v2_line_config</c> (272 bytes): default flags for the request's lines, overridden per line
/// by <c>attrs</c> (the lowest index wins when a line is named twice).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineConfig
{
    public GpioLineFlags Flags;
    public uint NumAttrs;
    public fixed uint Padding[5];
    public GpioV2LineConfigAttributes Attrs;
}

/// <summary><c>struct gpio_v2_line_request</c> (592 bytes), given to <see cref="GpioUapi.GetLineIoctl"/> on the chip fd;
/// on success the kernel writes the new line fd into <see cref="Fd"/>. Padding must be zero.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineRequest
{
    public fixed uint Offsets[GpioUapi.LinesMax];
    public fixed byte Consumer[GpioUapi.MaxNameSize];
    public GpioV2LineConfig Config;
    public uint NumLines;
    public uint EventBufferSize;
    public fixed uint Padding[5];
    public int Fd;
}

/// <summary><c>struct gpio_v2_line_values</c> (16 bytes): <c>bits</c> are logical values (1 = active), <c>mask</c>
/// picks the request's lines to get or set, both indexed like <c>offsets</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpioV2LineValues
{
    public ulong Bits;
    public ulong Mask;
}

/// <summary><c>enum gpio_v2_line_event_id</c>.</summary>
internal enum GpioV2LineEventId : uint
{
    RisingEdge = 1,
    FallingEdge = 2,
}

/// <summary><c>struct gpio_v2_line_event</c> (48 bytes), read() from a line fd with edge detection on. The timestamp is
/// <c>CLOCK_MONOTONIC</c> nanoseconds unless <c>EVENT_CLOCK_REALTIME</c> was requested; <c>id</c> is logical (active-low
/// applied), and sequence numbers skip when the kernel's event buffer overflowed.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineEvent
{
    public ulong TimestampNs;
    public GpioV2LineEventId Id;
    public uint Offset;
    public uint Seqno;
    public uint LineSeqno;
    public fixed uint Padding[6];
}

/// <summary><c>struct gpiochip_info</c> (68 bytes), from <see cref="GpioUapi.GetChipInfoIoctl"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioChipInfo
{
    public fixed byte Name[GpioUapi.MaxNameSize];
    public fixed byte Label[GpioUapi.MaxNameSize];
    public uint Lines;
}
