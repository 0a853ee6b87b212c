using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>
/// Frames for the motion gate: a fixed textured background (smooth shading and fine grain, like tarmac and kerbs),
/// fresh sensor noise of +-6 levels in every frame, bright rectangles (vehicles, level 230) and an optional global
/// brightness offset (auto exposure, headlights).
/// </summary>
internal sealed class SyntheticScene
{
    private const int Noise = 6;
    private const byte VehicleLevel = 230;
    private readonly byte[] _background;
    private readonly sbyte[] _noise;
    private readonly Random _random = new(11);

    public SyntheticScene(int width, int height)
    {
        Width = width;
        Height = height;
        _background = new byte[width * height];
        var random = new Random(5);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var smooth = 40 * Math.Sin(x / 37.0) * Math.Cos(y / 23.0);
                _background[(y * width) + x] = (byte)Math.Clamp(100 + smooth + random.Next(-25, 26), 0, 255);
            }
        }

        // Noise is drawn from a long random strip at a random offset per frame: fresh enough, and cheap.
        _noise = new sbyte[(2 * _background.Length) + 1];
        for (var i = 0; i < _noise.Length; i++)
        {
            _noise[i] = (sbyte)random.Next(-Noise, Noise + 1);
        }
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Frame(params PixelRect[] vehicles) => Frame(0, vehicles);

    /// <summary>One frame: background plus noise, the vehicles drawn over it, everything shifted by <paramref name="brightness"/>.</summary>
    public byte[] Frame(int brightness, params PixelRect[] vehicles)
    {
        var frame = new byte[_background.Length];
        var noise = _noise.AsSpan(_random.Next(_background.Length), _background.Length);
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (byte)Math.Clamp(_background[i] + brightness + noise[i], 0, 255);
        }

        foreach (var vehicle in vehicles)
        {
            var clipped = vehicle.ClipTo(Width, Height);
            for (var y = clipped.Y; y < clipped.Bottom; y++)
            {
                frame.AsSpan((y * Width) + clipped.X, clipped.Width).Fill((byte)Math.Clamp(VehicleLevel + brightness, 0, 255));
            }
        }

        return frame;
    }
}
