namespace EdgeAnpr.Agent.Capture;

/// <summary>A board's video decoder as ffmpeg names it, the codec it decodes and the device node it works through.</summary>
/// <param name="Name">ffmpeg's decoder name, handed to <c>-c:v</c> before <c>-i</c>.</param>
/// <param name="Codec">The codec it decodes, as ffmpeg prints it in a stream line (<c>h264</c>, <c>hevc</c>).</param>
/// <param name="Devices">Device nodes, any one of which means the board has the hardware.</param>
/// <param name="Board">Where it is found, for people.</param>
public sealed record HardwareDecoder(string Name, string Codec, IReadOnlyList<string> Devices, string Board);

/// <summary>
/// The hardware decoders <c>Capture:Decoder</c> knows and how <c>auto</c> finds one: ffmpeg lists it in
/// <c>ffmpeg -decoders</c> AND its device exists. Listed alone proves nothing: Debian's ffmpeg carries the V4L2
/// mem-to-mem wrappers on every architecture, this x86 machine's included, whether or not a decoder is behind them.
/// </summary>
public static class HardwareDecoders
{
    public const string Auto = "auto";
    public const string Software = "software";

    internal const string SettingPattern = "^(auto|software|h264_v4l2m2m|h264_rkmpp|hevc_rkmpp)$";
    internal const string SettingError = "Capture:Decoder must be auto, software, h264_v4l2m2m, h264_rkmpp or hevc_rkmpp.";

    /// <summary>
    /// In the order <c>auto</c> tries them. H.264 first: it is what the installation guide asks cameras to send, and the
    /// only codec the Pi 4's decoder has. The Pi 5 has no H.264 decoder (its HEVC one is a stateless V4L2 device that
    /// Debian's ffmpeg cannot drive), so a Pi 5 finds none and decodes in software. Jetson's NVDEC is reached only
    /// through NVIDIA's own ffmpeg build and is not listed.
    /// </summary>
    public static IReadOnlyList<HardwareDecoder> Known { get; } =
    [
        // bcm2835-codec's decoder is /dev/video10 (11 encodes, 12 is the ISP) in Raspberry Pi OS and Debian kernels.
        new("h264_v4l2m2m", "h264", ["/dev/video10"], "Raspberry Pi 4 (bcm2835-codec)"),

        // Rockchip's MPP service device; ffmpeg has rkmpp only when built with --enable-rkmpp (not Debian's).
        new("h264_rkmpp", "h264", ["/dev/mpp_service"], "RK3588 (Rockchip MPP)"),
        new("hevc_rkmpp", "hevc", ["/dev/mpp_service"], "RK3588 (Rockchip MPP)"),
    ];

    public static HardwareDecoder? Find(string name) =>
        Known.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));

    /// <summary>The decoder names in <c>ffmpeg -decoders</c> output (lines like <c> V..... h264_v4l2m2m   V4L2 mem2mem ...</c>).</summary>
    public static IReadOnlySet<string> ParseDecoderList(string output)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var listing = false;
        foreach (var line in output.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("------", StringComparison.Ordinal))
            {
                // The legend above the dashes describes the flags; the list follows.
                listing = true;
                continue;
            }

            var parts = trimmed.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (listing && parts.Length >= 2 && parts[0].Length == 6)
            {
                names.Add(parts[1]);
            }
        }

        return names;
    }
}
