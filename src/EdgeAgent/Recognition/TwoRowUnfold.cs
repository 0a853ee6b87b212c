using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>
/// Two-row plates for a one-row reader: the crop is cut between its text rows and the top row is laid left of the bottom
/// row, the way the readers whose contract says <c>"twoRow": "unfold"</c> were trained (<c>training/platereader/tworow.py</c>,
/// whose contract this follows). Square plates carry their text in two rows, top row first: Russian and Kazakh square
/// plates, Iranian motorcycle plates, two-row European and US plates.
/// </summary>
/// <remarks>
/// The cut is the quietest row between 30% and 70% of the height: each row's mean absolute difference of neighbouring
/// pixels (the vertical strokes of characters make text rows busy), smoothed over <c>max(1, H / 16)</c> rows either side.
/// Each half is resized (OpenCV-exact bilinear, <see cref="Bilinear"/>) to half the crop's height, keeping its aspect.
/// </remarks>
public static class TwoRowUnfold
{
    /// <summary>A crop narrower than this (width / height) may hold two rows: it is read both as it is and unfolded.</summary>
    public const double MaxAspect = 2.4;

    /// <summary>Whether <paramref name="crop"/> is squarish enough to be a two-row plate.</summary>
    public static bool MayHoldTwoRows(PixelRect crop) => crop.Height > 0 && crop.Width < MaxAspect * crop.Height;

    /// <summary>The first row of the bottom text row: where the crop is cut.</summary>
    public static int SplitRow(ReadOnlySpan<byte> pixels, int stride, PixelRect crop)
    {
        int height = crop.Height, width = crop.Width;
        if (width < 2)
        {
            return height / 2;
        }

        Span<double> sums = height <= 512 ? stackalloc double[height + 1] : new double[height + 1];
        sums[0] = 0;
        for (var y = 0; y < height; y++)
        {
            var row = pixels.Slice(((crop.Y + y) * stride) + crop.X, width);
            var busy = 0L;
            for (var x = 0; x + 1 < width; x++)
            {
                busy += Math.Abs(row[x + 1] - row[x]);
            }

            sums[y + 1] = sums[y] + ((double)busy / (width - 1));
        }

        var reach = Math.Max(1, height / 16);
        var last = Math.Min((int)Math.Ceiling(0.7 * height), height - 1);
        var first = Math.Max(1, Math.Min((int)Math.Floor(0.3 * height), last));
        int best = first;
        var quietest = double.PositiveInfinity;
        for (var y = first; y <= last; y++)
        {
            int lo = Math.Max(0, y - reach), hi = Math.Min(height - 1, y + reach) + 1;
            var smoothed = (sums[hi] - sums[lo]) / (hi - lo);
            if (smoothed < quietest)
            {
                (quietest, best) = (smoothed, y);
            }
        }

        return best;
    }

    /// <summary>
    /// Writes the unfolded crop into <paramref name="buffer"/> (grown when too small), row-major with the returned width as
    /// its stride, and returns its size.
    /// </summary>
    public static (int Width, int Height) Unfold(ReadOnlySpan<byte> pixels, int stride, PixelRect crop, ref byte[] buffer, ref float[] scratch)
    {
        var split = SplitRow(pixels, stride, crop);
        var height = Math.Max(8, (int)Math.Round(crop.Height / 2.0));
        PixelRect top = crop with { Height = split }, bottom = crop with { Y = crop.Y + split, Height = crop.Height - split };
        var topWidth = Math.Max(1, (int)Math.Round((double)crop.Width * height / top.Height));
        var bottomWidth = Math.Max(1, (int)Math.Round((double)crop.Width * height / bottom.Height));
        var width = topWidth + bottomWidth;
        if (scratch.Length < width * height)
        {
            scratch = new float[width * height];
        }

        if (buffer.Length < width * height)
        {
            buffer = new byte[width * height];
        }

        // Scale 1: the float results are OpenCV's uint8 values exactly.
        Bilinear.Resize(pixels, stride, top, scratch, width, topWidth, height, 1f);
        Bilinear.Resize(pixels, stride, bottom, scratch.AsSpan(topWidth), width, bottomWidth, height, 1f);
        for (var i = 0; i < width * height; i++)
        {
            buffer[i] = (byte)scratch[i];
        }

        return (width, height);
    }
}
