using System.Runtime.InteropServices;
using EdgeAnpr.Agent.Hardware;

namespace EdgeAnpr.Agent.Tests.Hardware;

/// <summary>
/// The bytes of the line requests the real chip sends, compared with the same requests built in C against
/// linux/gpio.h (gcc, x86-64; the dumps' non-zero bytes are listed here by offset). Every other byte must be zero:
/// the kernel refuses a request whose padding is not.
/// </summary>
public sealed class LinuxLineRequestTests
{
    [Fact]
    public void A_debounced_active_low_input_with_both_edges_and_pull_up_is_the_c_request_byte_for_byte()
    {
        var settings = new GpioInputSettings(ActiveLow: true, Edges: GpioEdges.Both, Debounce: TimeSpan.FromMilliseconds(20), Bias: GpioBias.PullUp);
        var request = LinuxGpioChip.LineRequest(22, LinuxGpioChip.InputFlags(settings), false, settings.Debounce, withEvents: true);

        Assert.Equal(
            new Dictionary<int, byte>
            {
                [0] = 0x16, [288] = 0x36, [289] = 0x01, [296] = 0x01, [320] = 0x03, [328] = 0x20, [329] = 0x4e, [336] = 0x01,
                [560] = 0x01, [564] = 0x10,
            }.Concat(Consumer).OrderBy(b => b.Key),
            NonZero(request));
    }

    [Fact]
    public void An_active_low_output_starting_active_is_the_c_request_byte_for_byte()
    {
        var request = LinuxGpioChip.LineRequest(17, GpioLineFlags.Output | GpioLineFlags.ActiveLow, true, TimeSpan.Zero, withEvents: false);

        Assert.Equal(
            new Dictionary<int, byte>
            {
                [0] = 0x11, [288] = 0x0a, [296] = 0x01, [320] = 0x02, [328] = 0x01, [336] = 0x01, [560] = 0x01,
            }.Concat(Consumer).OrderBy(b => b.Key),
            NonZero(request));
    }

    [Fact]
    public void Input_flags_follow_the_settings()
    {
        Assert.Equal(GpioLineFlags.Input, LinuxGpioChip.InputFlags(new GpioInputSettings(Edges: GpioEdges.None)));
        Assert.Equal(
            GpioLineFlags.Input | GpioLineFlags.EdgeFalling | GpioLineFlags.BiasPullDown,
            LinuxGpioChip.InputFlags(new GpioInputSettings(Edges: GpioEdges.Falling, Bias: GpioBias.PullDown)));
        Assert.Equal(
            GpioLineFlags.Input | GpioLineFlags.EdgeRising | GpioLineFlags.BiasDisabled,
            LinuxGpioChip.InputFlags(new GpioInputSettings(Edges: GpioEdges.Rising, Bias: GpioBias.Disabled)));
    }

    // "edge-anpr" at offset 256, NUL-terminated by the zeroed rest of consumer[32].
    private static IEnumerable<KeyValuePair<int, byte>> Consumer =>
        "edge-anpr"u8.ToArray().Select((b, i) => KeyValuePair.Create(256 + i, b));

    private static SortedDictionary<int, byte> NonZero(GpioV2LineRequest request)
    {
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<GpioV2LineRequest>(in request)).ToArray();
        Assert.Equal(592, bytes.Length);
        return new SortedDictionary<int, byte>(bytes.Select((b, i) => (b, i)).Where(x => x.b != 0).ToDictionary(x => x.i, x => x.b));
    }
}
