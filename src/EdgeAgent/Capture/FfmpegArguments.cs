using System.Globalization;

namespace EdgeAnpr.Agent.Capture;

/// <summary>The ffmpeg command line for one connection to a camera source.</summary>
internal static class FfmpegArguments
{
    /// <summary>
    /// <c>ffmpeg -nostdin -hide_banner -nostats [input options] [-c:v DECODER] -i SRC -an -sn -dn -f rawvideo -pix_fmt gray -</c>.
    /// <c>-nostats</c> keeps stderr silent while frames flow, so draining it costs nothing per frame;
    /// the stream header ffmpeg prints before the first frame is still there (it tells us the format).
    /// </summary>
    /// <param name="decoder">A hardware decoder's ffmpeg name, or null for ffmpeg's own (software) choice.</param>
    public static IReadOnlyList<string> For(CameraSource source, CaptureOptions options, bool pace, string? decoder = null)
    {
        var args = new List<string> { "-nostdin", "-hide_banner", "-nostats" };
        switch (source.Kind)
        {
            case CameraSourceKind.File when pace:
                // Read the input at its native rate, as a camera would deliver it.
                args.Add("-re");
                break;
            case CameraSourceKind.Rtsp:
                // TCP: UDP loses packets (grey smears) on the lossy links roadside boxes sit on.
                // -timeout is the socket I/O timeout in microseconds since ffmpeg 5.0 (Debian 12 ships 5.1);
                // it was -stimeout before, when -timeout meant something else.
                args.AddRange(["-rtsp_transport", "tcp", "-timeout", ToMicroseconds(options.ConnectTimeout)]);
                break;
            case CameraSourceKind.V4l2:
                args.AddRange(["-f", "v4l2"]);
                break;
        }

        if (decoder is not null)
        {
            // An input option: it picks the decoder of the input's video stream (before -i it applies to that input).
            // Frames still leave as gray through ffmpeg's scaler, which copies them back from the decoder's buffers.
            args.AddRange(["-c:v", decoder]);
        }

        args.AddRange(["-i", source.Location, "-an", "-sn", "-dn", "-f", "rawvideo", "-pix_fmt", "gray", "-"]);
        return args;
    }

    private static string ToMicroseconds(TimeSpan value) =>
        ((long)value.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);
}
