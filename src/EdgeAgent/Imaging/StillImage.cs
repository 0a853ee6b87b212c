using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EdgeAnpr.Agent.Imaging;

/// <summary>
/// A picture file (JPEG, PNG, anything ffmpeg decodes) as 8-bit gray pixels, row-major, stride == width: the form
/// frames come in, for reading plates from photos (<c>eval</c>, tests).
/// </summary>
public sealed class StillImage
{
    private StillImage(int width, int height, byte[] pixels)
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
    /// Decodes the first picture of <paramref name="path"/> to gray with ffmpeg (luma, as <c>-pix_fmt gray</c>), written
    /// as one binary PGM so that the size and the pixels come from the same decode. Throws
    /// <see cref="FileNotFoundException"/> for a missing file, <see cref="InvalidDataException"/> naming the file for an
    /// empty one or one ffmpeg cannot decode, and <see cref="InvalidOperationException"/> when ffmpeg is not installed.
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

        if (new FileInfo(fullPath).Length == 0)
        {
            throw new InvalidDataException($"Image '{fullPath}' is empty (0 bytes).");
        }

        var info = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-nostdin", "-hide_banner", "-v", "error", "-i", fullPath, "-frames:v", "1", "-f", "image2pipe", "-c:v", "pgm", "-pix_fmt", "gray", "-"])
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Images are decoded with ffmpeg, which cannot run ({ex.Message}): apt-get install ffmpeg.", ex);
        }

        using (process)
        {
            var errors = new StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { Length: > 0 } line)
                {
                    lock (errors)
                    {
                        errors.Append(errors.Length == 0 ? "" : " ").Append(line.Trim());
                    }
                }
            };
            process.BeginErrorReadLine();
            using var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            string problem;
            lock (errors)
            {
                problem = errors.ToString();
            }

            if (process.ExitCode != 0 || output.Length == 0)
            {
                throw new InvalidDataException(
                    $"Image '{fullPath}' cannot be decoded: {(problem.Length > 0 ? problem : $"ffmpeg exited with {process.ExitCode} and no picture")}.");
            }

            return FromPgm(output.GetBuffer().AsSpan(0, (int)output.Length), fullPath);
        }
    }

    /// <summary>Parses a binary 8-bit PGM (<c>P5 width height 255</c>, one whitespace, the pixels), as ffmpeg writes it.</summary>
    internal static StillImage FromPgm(ReadOnlySpan<byte> pgm, string name)
    {
        if (pgm.Length < 2 || pgm[0] != 'P' || pgm[1] != '5')
        {
            throw new InvalidDataException($"Image '{name}' did not decode to an 8-bit gray picture (no PGM header).");
        }

        var at = 2;
        var width = HeaderNumber(pgm, ref at, name);
        var height = HeaderNumber(pgm, ref at, name);
        var maxValue = HeaderNumber(pgm, ref at, name);
        at++;
        if (width <= 0 || height <= 0 || maxValue != 255)
        {
            throw new InvalidDataException($"Image '{name}' decoded to a {width}x{height} picture of maximum value {maxValue}, not an 8-bit gray one.");
        }

        var size = (long)width * height;
        if (pgm.Length - at < size)
        {
            throw new InvalidDataException($"Image '{name}' decoded to {Math.Max(0, pgm.Length - at)} bytes, too few for its {width}x{height} pixels.");
        }

        return new StillImage(width, height, pgm.Slice(at, (int)size).ToArray());
    }

    private static int HeaderNumber(ReadOnlySpan<byte> pgm, ref int at, string name)
    {
        while (at < pgm.Length && pgm[at] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            at++;
        }

        var start = at;
        while (at < pgm.Length && pgm[at] is >= (byte)'0' and <= (byte)'9')
        {
            at++;
        }

        return at > start && int.TryParse(pgm[start..at], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"Image '{name}' did not decode to an 8-bit gray picture (bad PGM header).");
    }
}
