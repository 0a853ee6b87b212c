namespace EdgeAnpr.Agent.Imaging;

/// <summary>
/// Bilinear resampling of 8-bit gray pixels into a model's float input, done the way the models were
/// trained: OpenCV's <c>cv2.resize(..., INTER_LINEAR)</c> (half-pixel centres, edge clamping, no
/// antialiasing), rounded to 8 bits like OpenCV's uint8 output, then multiplied by <c>scale</c>
/// (1/255 for "gray/255"). Matching the training resize keeps the int8 models' accuracy.
/// </summary>
public static class Bilinear
{
    /// <summary>The widest destination row handled without a heap allocation.</summary>
    private const int StackLimit = 2048;

    /// <param name="source">Source pixels, row-major.</param>
    /// <param name="sourceStride">Bytes from one source row to the next.</param>
    /// <param name="region">The part of the source to resample (must lie inside it).</param>
    /// <param name="destination">Where the <paramref name="width"/> x <paramref name="height"/> result goes.</param>
    /// <param name="destinationStride">Floats from one destination row to the next (the letterbox's full width).</param>
    /// <param name="width">Result width.</param>
    /// <param name="height">Result height.</param>
    /// <param name="scale">Multiplies each 8-bit result, e.g. 1/255.</param>
    public static void Resize(
        ReadOnlySpan<byte> source,
        int sourceStride,
        PixelRect region,
        Span<float> destination,
        int destinationStride,
        int width,
        int height,
        float scale)
    {
        if (region.IsEmpty || width <= 0 || height <= 0)
        {
            throw new ArgumentException($"Cannot resample {region.Width}x{region.Height} pixels to {width}x{height}.");
        }

        if ((long)(region.Bottom - 1) * sourceStride + region.Right > source.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(region), region, "The region lies outside the source image.");
        }

        if ((long)(height - 1) * destinationStride + width > destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(destination), "The destination is smaller than the result.");
        }

        var columns = width <= StackLimit ? stackalloc int[width] : new int[width];
        var weights = width <= StackLimit ? stackalloc float[width] : new float[width];
        Coefficients(region.Width, width, columns, weights);
        var yStep = (double)region.Height / height;

        for (var y = 0; y < height; y++)
        {
            var (row, wy) = Coefficient(y, yStep, region.Height);
            var top = source.Slice((region.Y + row) * sourceStride + region.X, region.Width);
            var bottom = row + 1 < region.Height ? source.Slice((region.Y + row + 1) * sourceStride + region.X, region.Width) : top;
            var output = destination.Slice(y * destinationStride, width);
            for (var x = 0; x < width; x++)
            {
                var c = columns[x];
                var wx = weights[x];
                var c1 = c + 1 < region.Width ? c + 1 : c;
                var upper = top[c] + ((top[c1] - top[c]) * wx);
                var lower = bottom[c] + ((bottom[c1] - bottom[c]) * wx);
                var value = upper + ((lower - upper) * wy);
                output[x] = MathF.Round(value) * scale;
            }
        }
    }

    private static void Coefficients(int sourceSize, int size, Span<int> index, Span<float> weight)
    {
        var step = (double)sourceSize / size;
        for (var i = 0; i < size; i++)
        {
            (index[i], weight[i]) = Coefficient(i, step, sourceSize);
        }
    }

    // OpenCV: f = (i + 0.5) * step - 0.5; below 0 clamps to the first pixel, past the end to the last.
    private static (int Index, float Weight) Coefficient(int i, double step, int sourceSize)
    {
        var f = ((i + 0.5) * step) - 0.5;
        var index = (int)Math.Floor(f);
        var weight = (float)(f - index);
        if (index < 0)
        {
            return (0, 0f);
        }

        if (index >= sourceSize - 1)
        {
            return (sourceSize - 1, 0f);
        }

        return (index, weight);
    }
}
