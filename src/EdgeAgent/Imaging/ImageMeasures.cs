namespace EdgeAnpr.Agent.Imaging;

/// <summary>What <c>aim</c> measures in a gray picture to help set zoom, focus and exposure.</summary>
internal static class ImageMeasures
{
    /// <summary>
    /// Variance of the Laplacian (4-neighbour kernel) over <paramref name="rect"/>: the usual no-reference focus measure
    /// (Pech-Pacheco et al., ICPR 2000). Sharp edges give large second derivatives; blur flattens them. It rises with
    /// contrast too, so compare it on the same scene while turning the focus ring, not between cameras. 0 for a rect
    /// under 3x3 pixels.
    /// </summary>
    public static double LaplacianVariance(ReadOnlySpan<byte> pixels, int width, int height, PixelRect rect)
    {
        var r = Inner(rect, width, height);
        if (r.IsEmpty)
        {
            return 0;
        }

        double sum = 0, sumSquares = 0;
        for (var y = r.Y; y < r.Bottom; y++)
        {
            var row = y * width;
            for (var x = r.X; x < r.Right; x++)
            {
                var i = row + x;
                double laplacian = (4 * pixels[i]) - pixels[i - 1] - pixels[i + 1] - pixels[i - width] - pixels[i + width];
                sum += laplacian;
                sumSquares += laplacian * laplacian;
            }
        }

        var n = (double)r.Area;
        var mean = sum / n;
        return Math.Max(0, (sumSquares / n) - (mean * mean));
    }

    /// <summary>Mean gray (0-255) over <paramref name="rect"/> clipped to the picture; 0 when nothing is left.</summary>
    public static double MeanGray(ReadOnlySpan<byte> pixels, int width, int height, PixelRect rect)
    {
        var r = rect.ClipTo(width, height);
        if (r.IsEmpty)
        {
            return 0;
        }

        long sum = 0;
        for (var y = r.Y; y < r.Bottom; y++)
        {
            foreach (var value in pixels.Slice((y * width) + r.X, r.Width))
            {
                sum += value;
            }
        }

        return (double)sum / r.Area;
    }

    // The rect's pixels that have all four neighbours inside the picture.
    private static PixelRect Inner(PixelRect rect, int width, int height)
    {
        var r = rect.ClipTo(width, height);
        var x = Math.Max(r.X, 1);
        var y = Math.Max(r.Y, 1);
        var right = Math.Min(r.Right, width - 1);
        var bottom = Math.Min(r.Bottom, height - 1);
        return right - x < 1 || bottom - y < 1 ? default : new PixelRect(x, y, right - x, bottom - y);
    }
}
