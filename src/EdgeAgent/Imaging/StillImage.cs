namespace EdgeAnpr.Agent.Imaging;

/// <summary>
/// A picture file (JPEG, PNG, BMP, GIF, WebP) as 8-bit gray pixels, row-major, stride == width: the form
/// frames come in, for reading plates from photos (<c>eval</c>, tests).
/// </summary>
public sealed class StillImage
{
    internal StillImage(int width, int height, byte[] pixels)
    {
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Width x Height gray values, row after row.</summary>
    public byte[] Pixels { get; }

    /// <summary>The whole picture.</summary>
    public PixelRect Bounds => new(0, 0, Width, Height);

    /// <summary>
    /// Decodes the first picture of <paramref name="path"/> to gray (<see cref="GrayCodec.Decode"/>: the luma ffmpeg's
    /// <c>-pix_fmt gray</c> gives frames). Throws <see cref="FileNotFoundException"/> for a missing file and
    /// <see cref="InvalidDataException"/> naming the file for an empty one or one that does not decode.
    /// </summary>
    public static StillImage LoadGray(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException(
                Directory.Exists(fullPath) ? $"Image '{fullPath}' is a directory, not a picture." : $"Image '{fullPath}' does not exist.", fullPath);
        }

        var file = File.ReadAllBytes(fullPath);
        return file.Length == 0
            ? throw new InvalidDataException($"Image '{fullPath}' is empty (0 bytes).")
            : GrayCodec.Decode(file, fullPath);
    }
}
