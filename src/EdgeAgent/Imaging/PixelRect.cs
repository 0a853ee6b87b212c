namespace EdgeAnpr.Agent.Imaging;

/// <summary>An axis-aligned rectangle in whole pixels: <c>X, Y</c> top-left, <c>Width, Height</c> size.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;

    public int Bottom => Y + Height;

    public int Area => Width * Height;

    public bool IsEmpty => Width <= 0 || Height <= 0;

    /// <summary>This rectangle clipped to an image of the given size (empty when it lies outside).</summary>
    public PixelRect ClipTo(int imageWidth, int imageHeight)
    {
        var x = Math.Clamp(X, 0, imageWidth);
        var y = Math.Clamp(Y, 0, imageHeight);
        return new PixelRect(x, y, Math.Clamp(Right, 0, imageWidth) - x, Math.Clamp(Bottom, 0, imageHeight) - y);
    }

    /// <summary>Intersection over union, the overlap measure detection is scored with.</summary>
    public double IoU(PixelRect other)
    {
        var w = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        var h = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        double inter = (long)w * h;
        return inter / ((long)Area + other.Area - inter);
    }
}
