using System.Diagnostics;

namespace EdgeAnpr.Bench;

/// <summary>
/// A picture file in colour, as three 8-bit planes in OpenCV's channel order (blue, green, red), for engines trained on
/// colour (PP-OCR reads <c>cv2.imread</c>'s BGR). Decoded by ffmpeg to planar <c>gbrp</c>, like
/// <see cref="EdgeAnpr.Agent.Imaging.StillImage"/> decodes gray.
/// </summary>
internal sealed class ColorImage
{
    private ColorImage(int width, int height, byte[][] planes)
    {
        Width = width;
        Height = height;
        Planes = planes;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Blue, green, red: Width x Height values each, row after row.</summary>
    public IReadOnlyList<byte[]> Planes { get; }

    /// <summary>Decodes <paramref name="path"/>, whose size is already known (from its gray decode).</summary>
    public static ColorImage Load(string path, int width, int height)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-nostdin", "-hide_banner", "-v", "error", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gbrp", "-"])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var errors = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        var plane = width * height;
        if (process.ExitCode != 0 || output.Length != 3 * plane)
        {
            throw new InvalidDataException($"ffmpeg decoded '{path}' to {output.Length} bytes, not {width}x{height}x3 (exit {process.ExitCode}): {errors.Result}");
        }

        var gbr = output.GetBuffer();

        // gbrp's planes are green, blue, red (libavutil/pixfmt.h, AV_PIX_FMT_GBRP).
        return new ColorImage(width, height, [gbr[plane..(2 * plane)], gbr[..plane], gbr[(2 * plane)..]]);
    }
}
