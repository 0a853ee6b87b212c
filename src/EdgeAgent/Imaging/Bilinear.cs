namespace EdgeAnpr.Agent.Imaging;

/// <summary>
/// Bilinear resampling of 8-bit gray pixels into a model's float input, done the way the models were
/// trained: OpenCV's <c>cv2.resize(..., INTER_LINEAR)</c> on uint8 (half-pixel centres, edge clamping, no
/// antialiasing), then multiplied by <c>scale</c> (1/255 for "gray/255").
/// </summary>
/// <remarks>
/// OpenCV does not compute uint8 INTER_LINEAR in floating point: it uses 11-bit fixed-point weights and, in the
/// vertical pass, the shifts of its SIMD kernel (<c>imgproc/src/resize.cpp</c>: <c>HResizeLinear</c> with
/// <c>INTER_RESIZE_COEF_BITS</c> = 11, and the <c>VResizeLinear&lt;uchar, ...&gt;</c> specialisation that computes
/// <c>((b0 * (S0 &gt;&gt; 4)) &gt;&gt; 16) + ((b1 * (S1 &gt;&gt; 4)) &gt;&gt; 16)</c>, rounded <c>&gt;&gt; 2</c>). Rounding a float
/// interpolation instead differs from it by 1 on about one pixel in eight; this follows its integer arithmetic and
/// reproduces OpenCV 4.6's output exactly (tests/EdgeAgent.Tests/Imaging/Fixtures/bilinear.json), so the int8
/// models see the very values they were calibrated and trained on. OpenCV's exact 2x2 halving, which it routes
/// through INTER_AREA, comes out the same.
/// </remarks>
public static class Bilinear
{
    /// <summary>The widest destination row handled without a heap allocation.</summary>
    private const int StackLimit = 1024;

    /// <summary>OpenCV's <c>INTER_RESIZE_COEF_BITS</c>: weights are in units of 1/2048.</summary>
    private const int CoefficientBits = 11;

    private const int One = 1 << CoefficientBits;

    /// <param name="source">Source pixels, row-major.</param>
    /// <param name="sourceStride">Bytes from one source row to the next (the image width for a <c>Frame</c>).</param>
    /// <param name="region">The part of the source to resample; it must lie inside the source rows (0 &lt;= X, Right &lt;= stride).</param>
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

        if (region.X < 0 || region.Y < 0 || region.Right > sourceStride || (long)(region.Bottom - 1) * sourceStride + region.Right > source.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(region), region, $"The region lies outside the source image ({sourceStride} bytes a row, {source.Length} bytes).");
        }

        if (destinationStride < width || (long)(height - 1) * destinationStride + width > destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(destination), "The destination is smaller than the result.");
        }

        var columns = width <= StackLimit ? stackalloc int[width] : new int[width];
        var alpha = width <= StackLimit ? stackalloc short[2 * width] : new short[2 * width];
        var upper = width <= StackLimit ? stackalloc int[width] : new int[width];
        var lower = width <= StackLimit ? stackalloc int[width] : new int[width];
        ColumnCoefficients(region.Width, width, columns, alpha);

        // The horizontal pass of the two source rows in upper/lower is kept while the next output row needs them.
        int upperRow = -1, lowerRow = -1;
        var yScale = 1.0 / ((double)height / region.Height);
        for (var y = 0; y < height; y++)
        {
            // OpenCV clamps the row indices but keeps the weights (resizeGeneric_Invoker), unlike the columns.
            var fy = (float)(((y + 0.5) * yScale) - 0.5);
            var sy = (int)MathF.Floor(fy);
            fy -= sy;
            var b0 = (int)MathF.Round((1f - fy) * One);
            var b1 = (int)MathF.Round(fy * One);
            var row0 = Math.Clamp(sy, 0, region.Height - 1);
            var row1 = Math.Clamp(sy + 1, 0, region.Height - 1);

            if (row0 != upperRow)
            {
                if (row0 == lowerRow)
                {
                    var swap = upper;
                    upper = lower;
                    lower = swap;
                    (upperRow, lowerRow) = (lowerRow, -1);
                }
                else
                {
                    Horizontal(source.Slice(((region.Y + row0) * sourceStride) + region.X, region.Width), columns, alpha, upper);
                    upperRow = row0;
                }
            }

            if (row1 != lowerRow)
            {
                if (row1 == upperRow)
                {
                    upper.CopyTo(lower);
                }
                else
                {
                    Horizontal(source.Slice(((region.Y + row1) * sourceStride) + region.X, region.Width), columns, alpha, lower);
                }

                lowerRow = row1;
            }

            var output = destination.Slice(y * destinationStride, width);
            for (var x = 0; x < width; x++)
            {
                var value = (((b0 * (upper[x] >> 4)) >> 16) + ((b1 * (lower[x] >> 4)) >> 16) + 2) >> 2;
                output[x] = Math.Clamp(value, 0, 255) * scale;
            }
        }
    }

    // OpenCV: f = (float)((i + 0.5) * scale - 0.5), scale = 1 / (dst / src); below 0 clamps to the first pixel, at or past
    // the last to the last, each with weight 0 for its neighbour; weights are rounded to 1/2048.
    private static void ColumnCoefficients(int sourceSize, int size, Span<int> index, Span<short> alpha)
    {
        var step = 1.0 / ((double)size / sourceSize);
        for (var i = 0; i < size; i++)
        {
            var f = (float)(((i + 0.5) * step) - 0.5);
            var s = (int)MathF.Floor(f);
            f -= s;
            if (s < 0)
            {
                (s, f) = (0, 0f);
            }

            if (s >= sourceSize - 1)
            {
                (s, f) = (sourceSize - 1, 0f);
            }

            index[i] = s;
            alpha[2 * i] = (short)MathF.Round((1f - f) * One);
            alpha[(2 * i) + 1] = (short)MathF.Round(f * One);
        }
    }

    private static void Horizontal(ReadOnlySpan<byte> row, ReadOnlySpan<int> columns, ReadOnlySpan<short> alpha, Span<int> result)
    {
        var last = row.Length - 1;
        for (var x = 0; x < result.Length; x++)
        {
            var c = columns[x];
            result[x] = c < last ? (row[c] * alpha[2 * x]) + (row[c + 1] * alpha[(2 * x) + 1]) : row[c] * One;
        }
    }
}
