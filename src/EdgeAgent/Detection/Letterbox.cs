using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Detection;

/// <summary>
/// How a region of a frame is placed in the model input, by the contract's rule (<c>training/detector/common.py</c>,
/// <c>letterbox_size</c>): scale <c>s = min(inputWidth / W, inputHeight / H)</c>, scaled size <c>round(W s) x round(H s)</c>
/// (round half to even, as Python's <c>round</c>; capped at the input), at the top-left, the rest 0. A box in input
/// pixels maps back by dividing by <c>s</c> (not by the rounded size's ratio) and adding the region's corner.
/// </summary>
internal readonly record struct Letterbox(PixelRect Region, double Scale, int ScaledWidth, int ScaledHeight)
{
    public static Letterbox Of(PixelRect region, int inputWidth, int inputHeight)
    {
        var scale = Math.Min((double)inputWidth / region.Width, (double)inputHeight / region.Height);
        var width = Math.Clamp((int)Math.Round(region.Width * scale), 1, inputWidth);
        var height = Math.Clamp((int)Math.Round(region.Height * scale), 1, inputHeight);
        return new Letterbox(region, scale, width, height);
    }

    /// <summary>A box in model-input pixels as frame pixels, clipped to the region (decode.py <c>to_frame</c>).</summary>
    public PlateBox ToFrame(double x1, double y1, double x2, double y2) => new(
        Region.X + Math.Clamp(x1 / Scale, 0, Region.Width),
        Region.Y + Math.Clamp(y1 / Scale, 0, Region.Height),
        Region.X + Math.Clamp(x2 / Scale, 0, Region.Width),
        Region.Y + Math.Clamp(y2 / Scale, 0, Region.Height));

    /// <summary>
    /// Resamples the region of a gray image into <paramref name="input"/> (<paramref name="inputWidth"/> floats a row)
    /// as gray/255, and zeroes the padding right of and below it.
    /// </summary>
    public void Fill(ReadOnlySpan<byte> pixels, int stride, Span<float> input, int inputWidth, int inputHeight)
    {
        Bilinear.Resize(pixels, stride, Region, input, inputWidth, ScaledWidth, ScaledHeight, 1f / 255f);
        if (ScaledWidth < inputWidth)
        {
            for (var y = 0; y < ScaledHeight; y++)
            {
                input.Slice((y * inputWidth) + ScaledWidth, inputWidth - ScaledWidth).Clear();
            }
        }

        input[(ScaledHeight * inputWidth)..(inputHeight * inputWidth)].Clear();
    }
}
