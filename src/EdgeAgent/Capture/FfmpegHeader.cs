using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// Reads the frame format from the header ffmpeg prints on stderr before it writes the first frame, so
/// the format is known without a second connection (an ffprobe first would double the connect time
/// and, for some cameras, the RTSP sessions). The output stream line is authoritative; it looks like
/// <c>Stream #0:0: Video: rawvideo (Y800 / 0x30303859), gray(pc, progressive), 1280x720 [SAR 1:1 DAR 16:9], q=2-31, 221184 kb/s, 25 fps, 25 tbn</c>.
/// The input stream line supplies the rate when the output line has none.
/// </summary>
internal sealed partial class FfmpegHeader
{
    private bool _inOutput;
    private double _inputFramesPerSecond;

    /// <summary>Feeds one stderr line; true, with the format, once the output video stream line has been seen.</summary>
    public bool TryAccept(string line, out FrameFormat format)
    {
        format = default;
        if (line.StartsWith("Output #", StringComparison.Ordinal))
        {
            _inOutput = true;
            return false;
        }

        var trimmed = line.AsSpan().TrimStart();
        if (!trimmed.StartsWith("Stream #", StringComparison.Ordinal) || !line.Contains(": Video: ", StringComparison.Ordinal))
        {
            return false;
        }

        var rate = ReadRate(line);
        if (!_inOutput)
        {
            // The first input video stream: remember its rate in case the output line lacks one.
            if (_inputFramesPerSecond == 0)
            {
                _inputFramesPerSecond = rate;
            }

            return false;
        }

        var size = SizePattern().Match(line);
        if (!size.Success)
        {
            return false;
        }

        format = new FrameFormat(
            int.Parse(size.Groups[1].ValueSpan, CultureInfo.InvariantCulture),
            int.Parse(size.Groups[2].ValueSpan, CultureInfo.InvariantCulture),
            rate > 0 ? rate : _inputFramesPerSecond);
        return true;
    }

    // "fps" is the stream's average rate; "tbr" ffmpeg's guess, printed when the average is unknown.
    private static double ReadRate(string line)
    {
        var match = FpsPattern().Match(line);
        if (!match.Success)
        {
            match = TbrPattern().Match(line);
        }

        if (!match.Success)
        {
            return 0;
        }

        var value = double.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
        return match.Groups[2].ValueSpan.IsEmpty ? value : value * 1000;
    }

    // ", WxH" — the comma keeps the codec tag ("Y800 / 0x30303859") from matching.
    [GeneratedRegex(@", (\d{1,5})x(\d{1,5})\b", RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();

    [GeneratedRegex(@", (\d+(?:\.\d+)?)(k?) fps\b", RegexOptions.CultureInvariant)]
    private static partial Regex FpsPattern();

    [GeneratedRegex(@", (\d+(?:\.\d+)?)(k?) tbr\b", RegexOptions.CultureInvariant)]
    private static partial Regex TbrPattern();
}
