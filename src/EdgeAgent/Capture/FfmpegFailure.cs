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
    public static CaptureException From(CameraSource source, IReadOnlyList<string> stderrTail, int? exitCode)
    {
        foreach (var (phrase, fileReason, liveReason) in Known)
        {
            if (stderrTail.Any(line => line.Contains(phrase, StringComparison.OrdinalIgnoreCase)))
            {
                return source.IsLive ? Create(source, liveReason, permanent: false) : Create(source, fileReason, permanent: true);
            }
        }

        var last = stderrTail.Count > 0 ? stderrTail[^1].Replace(source.Location, source.Display, StringComparison.Ordinal) : null;
        var exit = exitCode is { } code ? $"ffmpeg exited with code {code}" : "ffmpeg stopped";
        return Create(source, last is null ? exit : $"{exit}: {last}", permanent: false);
    }

    public static CaptureException Create(CameraSource source, string reason, bool permanent) =>
        new($"Camera source '{source.Display}': {reason}.") { IsPermanent = permanent };
}
