using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Shared.Events;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>
/// Makes the v1 event of a vehicle pass: a UUIDv7 event id from the clock, the plate, the match, the pass's frames
/// and times as UTC, and the best crop as a small gray JPEG. Frame timestamps are monotonic ticks of the pipeline's
/// clock; they become wall time by their distance from now on the same clock, so a wall-clock step while a vehicle
/// passes cannot reorder first and last seen. Thread-safe.
/// </summary>
public sealed class HitEventFactory
{
    /// <summary>The schema's limit on the image's base64 text.</summary>
    public const int MaxImageBase64Length = 65536;

    /// <summary>The schema's limit on each image dimension.</summary>
    public const int MaxImageDimension = 4096;

    /// <summary>A crop halved below this width is no use to anyone: the event then goes without an image.</summary>
    private const int MinImageWidth = 16;

    private readonly TimeProvider _time;
    private readonly int _imageQuality;

    /// <param name="camera">Site and camera ids.</param>
    /// <param name="time">The pipeline's clock: event ids, capture times.</param>
    /// <param name="imageQuality">JPEG quality of the crop (<see cref="DeliveryOptions.ImageQuality"/>).</param>
    public HitEventFactory(CameraIdentity camera, TimeProvider time, int imageQuality = GrayCodec.DefaultJpegQuality)
    {
        Camera = camera ?? throw new ArgumentNullException(nameof(camera));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        ArgumentOutOfRangeException.ThrowIfLessThan(imageQuality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(imageQuality, 100);
        _imageQuality = imageQuality;
    }

    public CameraIdentity Camera { get; }

    /// <summary>The hit event of <paramref name="pass"/> matching <paramref name="match"/>, not replayed.</summary>
    public HitEvent Create(VehiclePass pass, HitMatch match)
    {
        ArgumentNullException.ThrowIfNull(match);
        return Build(pass, match);
    }

    /// <summary>The event of an unmatched read (<see cref="HitEvent.Match"/> null), for <see cref="DeliveryOptions.PublishReads"/>.</summary>
    public HitEvent CreateRead(VehiclePass pass) => Build(pass, match: null);

    /// <summary>The crop as a JPEG small enough for the schema (halved until it fits), or null when there is none.</summary>
    internal static HitImage? Image(PlateCrop? crop, int quality)
    {
        if (crop is null || crop.Width <= 0 || crop.Height <= 0)
        {
            return null;
        }

        var (pixels, width, height) = (crop.Pixels, crop.Width, crop.Height);
        while (width >= MinImageWidth)
        {
            if (width <= MaxImageDimension && height <= MaxImageDimension)
            {
                var jpeg = GrayCodec.EncodeJpeg(pixels, width, height, quality);
                if (Base64Length(jpeg.Length) <= MaxImageBase64Length)
                {
                    return new HitImage(HitImage.Jpeg, width, height, Convert.ToBase64String(jpeg));
                }
            }

            (pixels, width, height) = Halve(pixels, width, height);
        }

        return null;
    }

    private HitEvent Build(VehiclePass pass, HitMatch? match)
    {
        ArgumentNullException.ThrowIfNull(pass);
        var now = _time.GetUtcNow();
        var nowTimestamp = _time.GetTimestamp();
        var firstSeen = WallTime(pass.First.Timestamp, now, nowTimestamp);
        var lastSeen = WallTime(pass.Last.Timestamp, now, nowTimestamp);
        return new HitEvent(
            Guid.CreateVersion7(now).ToString("D"),
            HitEvent.CurrentVersion,
            Camera.SiteId,
            Camera.CameraId,
            WallTime(pass.Best.Timestamp, now, nowTimestamp),
            new HitPlate(pass.Text.Value, pass.Text.Display, pass.Text.Region.Code(), Math.Round(Math.Clamp(pass.Confidence, 0, 1), 3)),
            match,
            new HitTrack(Math.Max(1, pass.Frames.Count), pass.Reads, firstSeen, lastSeen < firstSeen ? firstSeen : lastSeen),
            Image(pass.BestCrop, _imageQuality),
            Replayed: false);
    }

    /// <summary>The wall time of a pipeline timestamp: now minus how long ago it was; a timestamp from the future counts as now.</summary>
    private DateTimeOffset WallTime(long timestamp, DateTimeOffset now, long nowTimestamp)
    {
        var ago = _time.GetElapsedTime(timestamp, nowTimestamp);
        return ago > TimeSpan.Zero ? now - ago : now;
    }

    private static int Base64Length(int bytes) => (bytes + 2) / 3 * 4;

    /// <summary>Half the size, each pixel the mean of a 2x2 block (a last odd row or column is dropped).</summary>
    private static (byte[] Pixels, int Width, int Height) Halve(byte[] pixels, int width, int height)
    {
        var w = width / 2;
        var h = Math.Max(1, height / 2);
        var rowBelow = height > 1 ? width : 0;
        var half = new byte[w * h];
        for (var y = 0; y < h; y++)
        {
            var top = y * 2 * width;
            for (var x = 0; x < w; x++)
            {
                var i = top + (x * 2);
                half[(y * w) + x] = (byte)((pixels[i] + pixels[i + 1] + pixels[i + rowBelow] + pixels[i + rowBelow + 1] + 2) / 4);
            }
        }

        return (half, w, h);
    }
}
