using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Detection;

/// <summary>
/// The polygon of <see cref="DetectionOptions.RegionOfInterest"/>, in normalised coordinates (0..1 of the frame's
/// width and height), or the whole frame when it has no points. A point on the boundary may fall either side.
/// </summary>
public sealed class RegionOfInterest
{
    private readonly double[] _x;
    private readonly double[] _y;

    /// <param name="points">At least 3 points, or none for the whole frame.</param>
    public RegionOfInterest(IEnumerable<NormalizedPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var list = points.ToArray();
        if (list.Length is > 0 and < 3)
        {
            throw new ArgumentException($"A region of interest needs at least 3 points (or none); {list.Length} given.", nameof(points));
        }

        _x = list.Select(p => p.X).ToArray();
        _y = list.Select(p => p.Y).ToArray();
    }

    /// <summary>The whole frame.</summary>
    public static RegionOfInterest WholeFrame { get; } = new([]);

    public bool IsWholeFrame => _x.Length == 0;

    /// <summary>Whether the normalised point (<paramref name="x"/>, <paramref name="y"/>) lies inside (even-odd rule).</summary>
    public bool Contains(double x, double y)
    {
        if (IsWholeFrame)
        {
            return true;
        }

        var inside = false;
        for (int i = 0, j = _x.Length - 1; i < _x.Length; j = i++)
        {
            if ((_y[i] > y) != (_y[j] > y) && x < ((_x[j] - _x[i]) * (y - _y[i]) / (_y[j] - _y[i])) + _x[i])
            {
                inside = !inside;
            }
        }

        return inside;
    }

    /// <summary>Whether the frame pixel position (<paramref name="x"/>, <paramref name="y"/>) of a <paramref name="width"/> x <paramref name="height"/> frame lies inside.</summary>
    public bool Contains(double x, double y, int width, int height) => Contains(x / width, y / height);

    /// <summary>The frame pixels that hold the polygon (the whole frame when there is none).</summary>
    public PixelRect Bounds(int width, int height)
    {
        if (IsWholeFrame)
        {
            return new PixelRect(0, 0, width, height);
        }

        var left = (int)Math.Floor(_x.Min() * width);
        var top = (int)Math.Floor(_y.Min() * height);
        var right = (int)Math.Ceiling(_x.Max() * width);
        var bottom = (int)Math.Ceiling(_y.Max() * height);
        return new PixelRect(left, top, right - left, bottom - top).ClipTo(width, height);
    }
}
