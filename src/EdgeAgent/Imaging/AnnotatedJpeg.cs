using SkiaSharp;

namespace EdgeAnpr.Agent.Imaging;

/// <summary>
/// A gray frame as a colour JPEG with outlines drawn on it, for aiming a camera: the region of interest in yellow, the
/// plates found in the frame in green and the last plates found before it (when the frame has none) in orange.
/// </summary>
internal static class AnnotatedJpeg
{
    /// <summary>Quality of the snapshot: a person judges focus on it, so it keeps fine detail.</summary>
    public const int Quality = 90;

    /// <param name="pixels">8-bit gray, row-major, stride == width.</param>
    /// <param name="region">The region of interest's polygon in frame pixels; empty: none drawn.</param>
    /// <param name="plates">Boxes drawn green.</param>
    /// <param name="earlierPlates">Boxes drawn orange (plates from an earlier frame).</param>
    public static byte[] Encode(
        ReadOnlySpan<byte> pixels, int width, int height, IReadOnlyList<SKPoint> region, IReadOnlyList<SKRect> plates, IReadOnlyList<SKRect> earlierPlates)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(plates);
        ArgumentNullException.ThrowIfNull(earlierPlates);
        if (pixels.Length != (long)width * height)
        {
            throw new ArgumentException($"{pixels.Length} pixels are not {width}x{height}.", nameof(pixels));
        }

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; i < pixels.Length; i++, j += 4)
        {
            var gray = pixels[i];
            (rgba[j], rgba[j + 1], rgba[j + 2], rgba[j + 3]) = (gray, gray, gray, 255);
        }

        // Lines 2 px wide up to 1280 columns, 3 at 1080p: visible on a laptop without hiding the plate's edges.
        var stroke = Math.Max(2, width / 640);
        using (var canvas = new SKCanvas(bitmap))
        {
            if (region.Count >= 3)
            {
                using var builder = new SKPathBuilder();
                builder.AddPoly(region.ToArray(), close: true);
                using var path = builder.Detach();
                using var yellow = Outline(new SKColor(255, 220, 0), stroke);
                canvas.DrawPath(path, yellow);
            }

            using var orange = Outline(new SKColor(255, 140, 0), stroke);
            foreach (var box in earlierPlates)
            {
                canvas.DrawRect(box, orange);
            }

            using var green = Outline(new SKColor(0, 230, 0), stroke);
            foreach (var box in plates)
            {
                canvas.DrawRect(box, green);
            }
        }

        // 4:4:4: the outlines are a pixel or two wide, and 4:2:0 chroma would smear their colour into the gray around them.
        using var pixmap = bitmap.PeekPixels();
        using var jpeg = pixmap.Encode(new SKJpegEncoderOptions(Quality, SKJpegEncoderDownsample.Downsample444, SKJpegEncoderAlphaOption.Ignore))
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {width}x{height} JPEG.");
        return jpeg.ToArray();
    }

    private static SKPaint Outline(SKColor colour, int width) => new()
    {
        Color = colour,
        Style = SKPaintStyle.Stroke,
        StrokeWidth = width,
        IsAntialias = true,
    };
}
