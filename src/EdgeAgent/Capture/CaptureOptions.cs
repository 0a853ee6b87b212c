using System.ComponentModel.DataAnnotations;

namespace EdgeAnpr.Agent.Capture;

/// <summary>The camera this box reads (section <c>Camera</c>).</summary>
public sealed class CameraOptions
{
    public const string SectionName = "Camera";

    /// <summary>Camera identifier used in topics and events; default <c>cam1</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$", ErrorMessage = "Camera:Id must be 1-64 letters, digits, '-' or '_' (it is part of MQTT topics).")]
    public string Id { get; set; } = "cam1";

    /// <summary>A file path, <c>rtsp://</c> URL or <c>/dev/videoN</c>. Required.</summary>
    [Required(ErrorMessage = "Camera:Source is required: a file path, an rtsp:// URL or a /dev/videoN device.")]
    public string Source { get; set; } = "";

    /// <summary>Deliver a file's frames at its native frame rate, as a live camera would (default false: as fast as possible).</summary>
    public bool Pace { get; set; }
}

/// <summary>How frames are captured and live sources supervised (section <c>Capture</c>).</summary>
public sealed class CaptureOptions
{
    public const string SectionName = "Capture";

    /// <summary>Frames waiting between capture and processing; default <see cref="FrameQueue.DefaultCapacity"/>. The oldest is dropped when full.</summary>
    [Range(1, 64)]
    public int QueueCapacity { get; set; } = FrameQueue.DefaultCapacity;

    /// <summary>A live source that delivers no frame for this long is restarted; default 10 s. The first frame of a connection may take <see cref="ConnectTimeout"/> longer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connect and read timeout handed to ffmpeg for network sources; default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay before restarting a failed live source; default 1 s, doubling up to <see cref="MaxRestartDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between restarts of a failed live source; default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How ffmpeg decodes the camera's video; default <see cref="HardwareDecoders.Auto"/>: the board's hardware decoder
    /// when this ffmpeg has one and its device exists (see <see cref="HardwareDecoders.Known"/>), else software.
    /// <see cref="HardwareDecoders.Software"/> never tries hardware; a decoder's ffmpeg name asks for that one. A hardware
    /// decoder that fails to open or to decode the stream is dropped for software, with one warning, for that source.
    /// </summary>
    [Required]
    [RegularExpression(HardwareDecoders.SettingPattern, ErrorMessage = HardwareDecoders.SettingError)]
    public string Decoder { get; set; } = HardwareDecoders.Auto;

    /// <summary>The ffmpeg executable; default <c>ffmpeg</c> from PATH.</summary>
    [Required]
    public string FfmpegPath { get; set; } = "ffmpeg";
}
