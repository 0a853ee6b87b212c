using System.Buffers;
using SkiaSharp;

namespace EdgeAnpr.Agent.Imaging;

/// <summary>
/// 8-bit gray pixels to and from image files, through SkiaSharp (Skia's libjpeg-turbo, libpng, libwebp): the hit's crop
/// encoded as a one-component JPEG, and stills decoded for <c>eval</c> and <c>replay FOLDER</c>. The one file that
/// meets the image codec.
/// </summary>
internal static class GrayCodec
{
    /// <summary>The default JPEG quality: a plate crop stays legible to a person at a few kilobytes.</summary>
    public const int DefaultJpegQuality = 75;

    // ITU-R BT.601 luma in 16-bit fixed point (0.299, 0.587, 0.114; the weights sum to 65536), full range: the gray
    // camera frames get from ffmpeg's -pix_fmt gray, and the models' training got from OpenCV's COLOR_BGR2GRAY.
    private const int RedWeight = 19595;
    private const int GreenWeight = 38470;
    private const int BlueWeight = 7471;

    /// <summary>
    /// A baseline JPEG of one gray component (<paramref name="width"/> x <paramref name="height"/> pixels, row-major,
    /// stride == width) at <paramref name="quality"/> 1 to 100.
    /// </summary>
    public static unsafe byte[] EncodeJpeg(ReadOnlySpan<byte> pixels, int width, int height, int quality = DefaultJpegQuality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        if (pixels.Length != (long)width * height)
        {
            throw new ArgumentException($"{pixels.Length} pixels are not {width}x{height}.", nameof(pixels));
        }

        var info = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        fixed (byte* start = pixels)
        {
            using var pixmap = new SKPixmap(info, (nint)start, width);
            using var jpeg = pixmap.Encode(new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample444, SKJpegEncoderAlphaOption.Ignore))
                ?? throw new InvalidOperationException($"SkiaSharp could not encode a {width}x{height} gray JPEG.");
            return jpeg.ToArray();
        }
    }

    /// <summary>
    /// The first picture of an image file as gray: a gray file as it is, a colour one as its BT.601 luma, as ffmpeg
    /// computes it (no colour management, no EXIF rotation, alpha ignored). Throws <see cref="InvalidDataException"/>
    /// naming <paramref name="name"/> for a file that is not a picture or is cut short.
    /// </summary>
    public static StillImage Decode(ReadOnlySpan<byte> file, string name)
    {
        using var data = SKData.CreateCopy(file);
        // The codec owns the stream from here on (and deletes it when it cannot open it).
        using var codec = SKCodec.Create(new SKMemoryStream(data), out _);
        if (codec is null)
        {
            // Whatever the reason (Skia says IncompleteInput for a text file too short to sniff), no codec knew the bytes.
            throw new InvalidDataException($"Image '{name}' cannot be decoded: not a picture SkiaSharp reads (JPEG, PNG, BMP, GIF, WebP).");
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        var pixels = new byte[width * height];
        if (codec.Info.ColorType == SKColorType.Gray8)
        {
            // A colour space of null asks for the stored values, as ffmpeg gives them.
            Check(codec.GetPixels(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque, null), pixels), name);
            return new StillImage(width, height, pixels);
        }

        // Skia decodes a colour JPEG to RGB only (libjpeg-turbo's YCbCr to RGB), so the luma is recomputed from it. It
        // differs from ffmpeg's by 1 in about 2% of pixels (another inverse DCT, as ffmpeg's own -idct int does), and by
        // more only where the RGB clipped (saturated colours).
        var rgba = ArrayPool<byte>.Shared.Rent(width * height * 4);
        try
        {
            Check(codec.GetPixels(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul, null), rgba), name);
            for (int i = 0, j = 0; i < pixels.Length; i++, j += 4)
            {
                pixels[i] = (byte)(((RedWeight * rgba[j]) + (GreenWeight * rgba[j + 1]) + (BlueWeight * rgba[j + 2]) + 32768) >> 16);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgba);
        }

        return new StillImage(width, height, pixels);
    }

    private static void Check(SKCodecResult result, string name)
    {
        if (result != SKCodecResult.Success)
        {
            throw Undecodable(name, result);
        }
    }

    private static InvalidDataException Undecodable(string name, SKCodecResult result) => new(
        $"Image '{name}' cannot be decoded: " + result switch
        {
            SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "the file is cut short or damaged.",
            _ => $"SkiaSharp says {result}.",
        });
}
