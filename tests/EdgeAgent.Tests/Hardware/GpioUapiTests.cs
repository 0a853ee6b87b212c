using System.Runtime.CompilerServices;
using EdgeAnpr.Agent.Hardware;

namespace EdgeAnpr.Agent.Tests.Hardware;

/// <summary>The uAPI v2 layouts and numbers against include/uapi/linux/gpio.h (sizes as gcc reports them on x86-64 and arm64).</summary>
public sealed unsafe class GpioUapiTests
{
    [Fact]
    public void Structs_have_the_kernel_headers_sizes()
    {
        Assert.Equal(592, sizeof(GpioV2LineRequest));
        Assert.Equal(16, sizeof(GpioV2LineValues));
        Assert.Equal(48, sizeof(GpioV2LineEvent));
        Assert.Equal(272, sizeof(GpioV2LineConfig));
        Assert.Equal(24, sizeof(GpioV2LineConfigAttribute));
        Assert.Equal(16, sizeof(GpioV2LineAttribute));
        Assert.Equal(68, sizeof(GpioChipInfo));
        Assert.Equal(592, Unsafe.SizeOf<GpioV2LineRequest>());
    }

    [Fact]
    public void Fields_sit_at_the_kernel_headers_offsets()
    {
        var request = default(GpioV2LineRequest);
        var start = (byte*)&request;
        Assert.Equal(256, (byte*)request.Consumer - start);
        Assert.Equal(288, (byte*)&request.Config - start);
        Assert.Equal(288 + 32, (byte*)&request.Config.Attrs - start);
        Assert.Equal(560, (byte*)&request.NumLines - start);
        Assert.Equal(564, (byte*)&request.EventBufferSize - start);
        Assert.Equal(588, (byte*)&request.Fd - start);

        var attribute = default(GpioV2LineAttribute);
        Assert.Equal(8, (byte*)&attribute.DebouncePeriodUs - (byte*)&attribute);
        Assert.Equal(8, (byte*)&attribute.Values - (byte*)&attribute);

        var e = default(GpioV2LineEvent);
        Assert.Equal(8, (byte*)&e.Id - (byte*)&e);
        Assert.Equal(20, (byte*)&e.LineSeqno - (byte*)&e);
    }

    [Fact]
    public void Ioctl_numbers_are_the_headers_macros_over_these_sizes()
    {
        Assert.Equal(GpioUapi.GetLineIoctl, GpioUapi.Iowr(0x07, sizeof(GpioV2LineRequest)));
        Assert.Equal(GpioUapi.LineGetValuesIoctl, GpioUapi.Iowr(0x0E, sizeof(GpioV2LineValues)));
        Assert.Equal(GpioUapi.LineSetValuesIoctl, GpioUapi.Iowr(0x0F, sizeof(GpioV2LineValues)));
        Assert.Equal(GpioUapi.GetChipInfoIoctl, GpioUapi.Ior(0x01, sizeof(GpioChipInfo)));

        // The values DESIGN.md quotes.
        Assert.Equal(0xC250B407u, GpioUapi.GetLineIoctl);
        Assert.Equal(0xC010B40Fu, GpioUapi.LineSetValuesIoctl);
        Assert.Equal(0xC010B40Eu, GpioUapi.LineGetValuesIoctl);
    }

    [Fact]
    public void Flags_and_ids_are_the_headers_values()
    {
        Assert.Equal(
            [1UL, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048],
            new[]
            {
                GpioLineFlags.Used, GpioLineFlags.ActiveLow, GpioLineFlags.Input, GpioLineFlags.Output, GpioLineFlags.EdgeRising,
                GpioLineFlags.EdgeFalling, GpioLineFlags.OpenDrain, GpioLineFlags.OpenSource, GpioLineFlags.BiasPullUp,
                GpioLineFlags.BiasPullDown, GpioLineFlags.BiasDisabled, GpioLineFlags.EventClockRealtime,
            }.Select(f => (ulong)f));
        Assert.Equal(1u, (uint)GpioLineAttributeId.Flags);
        Assert.Equal(2u, (uint)GpioLineAttributeId.OutputValues);
        Assert.Equal(3u, (uint)GpioLineAttributeId.Debounce);
        Assert.Equal(1, (int)GpioEdge.Rising);
        Assert.Equal(2, (int)GpioEdge.Falling);
    }
}
