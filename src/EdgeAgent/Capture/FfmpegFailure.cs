namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// Turns what ffmpeg printed before it gave up into one line a technician can act on. ffmpeg reports
/// problems as free text; these are the phrases of ffmpeg 5.1 (Debian 12) for the failures seen in the
/// field, checked against its last stderr lines, most specific first.
/// </summary>
internal static class FfmpegFailure
{
    // Phrase in ffmpeg's output, the reason for a file, the reason for a live source.
    private static readonly (string Phrase, string FileReason, string LiveReason)[] Known =
    [
        ("Connection refused", "connection refused", "connection refused (is the camera on, and is the port right?)"),
        ("timed out", "timed out", "connection timed out"),
        ("Failed to resolve hostname", "cannot resolve the host name", "cannot resolve the host name"),
        ("No route to host", "host unreachable", "host unreachable"),
        ("Network is unreachable", "network unreachable", "network unreachable"),
        ("401 Unauthorized", "unauthorized (401)", "the camera rejected the user name or password (401)"),
        ("404 Not Found", "not found (404)", "the camera has no stream at that path (404)"),
        ("Permission denied", "permission denied", "permission denied (is the service user in the video group?)"),
        ("does not contain any stream", "has no video stream", "the camera sends no video stream"),
        ("No such file or directory", "not found", "device not found (is the camera plugged in?)"),
        ("Invalid data found when processing input", "is not a video or image ffmpeg can read", "the camera's answer is not a stream ffmpeg can read"),
    ];

    /// <summary>
    /// The failure of one ffmpeg run. On a file, the problems that will not change by retrying are
    /// permanent; on a live source nothing is (a camera that sends garbage while it boots sends video a
    /// minute later), so the supervisor keeps trying and the status shows the reason.
    /// </summary>
    public static CaptureException From(CameraSource source, IReadOnlyList<string> stderrTail, int exitCode)
    {
        foreach (var (phrase, fileReason, liveReason) in Known)
        {
            if (stderrTail.Any(line => line.Contains(phrase, StringComparison.OrdinalIgnoreCase)))
            {
                return source.IsLive ? CaptureException.For(source, liveReason, permanent: false) : CaptureException.For(source, fileReason, permanent: true);
            }
        }

        // Unrecognised: quote ffmpeg's last word, with any password in the URL hidden.
        var last = stderrTail.Count > 0 ? stderrTail[^1].Replace(source.Location, source.Display, StringComparison.Ordinal).Trim().TrimEnd('.') : null;
        var exit = $"ffmpeg exited with code {exitCode}";
        return CaptureException.For(source, last is null ? exit : $"{exit}: {last}", permanent: false);
    }
}
