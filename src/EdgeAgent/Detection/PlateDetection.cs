using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Detection;

/// <summary>A plate found in a frame: where, in frame pixels, and the detector's score (0..1).</summary>
public readonly record struct PlateDetection(PlateBox Box, float Score);

/// <summary>
/// A box in frame pixels with sub-pixel edges, as the detector's decoder gives it (<c>training/detector/decode.py</c>
/// works in float64; so does this). <see cref="ToPixelRect"/> gives the whole pixels that cover it, for cropping.
/// </summary>
public readonly record struct PlateBox(double Left, double Top, double Right, double Bottom)
{
    public double Width => Right - Left;

    public double Height => Bottom - Top;

    public double CentreX => (Left + Right) / 2;

    public double CentreY => (Top + Bottom) / 2;

    /// <summary>The smallest whole-pixel rectangle holding this box (edges rounded outwards).</summary>
    public PixelRect ToPixelRect()
    {
        var x = (int)Math.Floor(Left);
        var y = (int)Math.Floor(Top);
        return new PixelRect(x, y, (int)Math.Ceiling(Right) - x, (int)Math.Ceiling(Bottom) - y);
    }

    /// <summary>Intersection over union, computed as the reference decoder's <c>iou</c> does (0 when either box is empty).</summary>
    public double IoU(PlateBox other)
    {
        var w = Math.Min(Right, other.Right) - Math.Max(Left, other.Left);
        var h = Math.Min(Bottom, other.Bottom) - Math.Max(Top, other.Top);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var inter = w * h;
        var union = (Width * Height) + (other.Width * other.Height) - inter;
        return union > 0 ? inter / union : 0;
    }
}
