namespace EdgeAnpr.Agent.Capture;

/// <summary>A camera source that cannot be read; the message names the source and the problem in one line.</summary>
public sealed class CaptureException : Exception
{
    public CaptureException(string message)
        : base(message)
    {
    }

    public CaptureException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CaptureException()
    {
    }

    /// <summary>True when retrying cannot help (a missing file, not a video, a bad scheme).</summary>
    public bool IsPermanent { get; init; }

    /// <summary>
    /// The hardware decoder ffmpeg could not open or decode this source with (ffmpeg had opened the input, or did not
    /// know the decoder), or null when the failure was not the decoder's (the camera did not answer).
    /// </summary>
    public string? FailedDecoder { get; init; }

    /// <summary>The one-line form every capture failure takes: <c>Camera source 'SRC': problem.</c></summary>
    internal static CaptureException For(CameraSource source, string problem, bool permanent) =>
        new($"Camera source '{source.Display}': {problem}.") { IsPermanent = permanent };
}
