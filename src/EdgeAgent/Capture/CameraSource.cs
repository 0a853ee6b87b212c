namespace EdgeAnpr.Agent.Capture;

public enum CameraSourceKind
{
    /// <summary>A video or image file; it ends, and its end ends a replay.</summary>
    File,

    /// <summary>An RTSP camera (rtsp:// or rtsps://), read over TCP; live, restarted when it fails.</summary>
    Rtsp,

    /// <summary>A V4L2 device such as /dev/video0; live, restarted when it fails.</summary>
    V4l2,
}

/// <summary>Where frames come from, parsed once from <c>Camera:Source</c> or the replay argument.</summary>
public sealed record CameraSource(CameraSourceKind Kind, string Location)
{
    public bool IsLive => Kind != CameraSourceKind.File;

    /// <summary>Parses a source; an unknown scheme is an error that names the accepted forms.</summary>
    public static CameraSource Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CaptureException("The camera source is empty: give a file path, an rtsp:// URL or a /dev/videoN device.");
        }

        text = text.Trim();
        if (text.StartsWith("/dev/video", StringComparison.Ordinal))
        {
            return new CameraSource(CameraSourceKind.V4l2, text);
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return new CameraSource(CameraSourceKind.File, text);
        }

        var scheme = text[..schemeEnd].ToUpperInvariant();
        return scheme switch
        {
            "RTSP" or "RTSPS" => new CameraSource(CameraSourceKind.Rtsp, text),
            "FILE" => new CameraSource(CameraSourceKind.File, new Uri(text).LocalPath),
            _ => throw new CaptureException(
                $"Unknown camera source scheme '{text[..schemeEnd]}' in '{Redact(text)}': use a file path, rtsp://host/path or /dev/videoN."),
        };
    }

    /// <summary>The location with any password in its URL hidden, for logs and status lines.</summary>
    public string Display => Redact(Location);

    public override string ToString() => Display;

    private static string Redact(string location)
    {
        var schemeEnd = location.IndexOf("://", StringComparison.Ordinal);
        var at = location.IndexOf('@', StringComparison.Ordinal);
        if (schemeEnd < 0 || at < schemeEnd)
        {
            return location;
        }

        var colon = location.IndexOf(':', schemeEnd + 3);
        return colon > 0 && colon < at ? string.Concat(location.AsSpan(0, colon + 1), "***", location.AsSpan(at)) : location;
    }
}
