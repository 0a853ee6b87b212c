using System.Diagnostics;

namespace EdgeAnpr.Agent.Tests.Imaging;

/// <summary>Synthetic gray images for the JPEG tests, and ffmpeg as the independent decoder.</summary>
internal static class TestImages
{
    /// <summary>
    /// Something like a plate crop: a light plate with a shading gradient and a dark border, seven dark glyphs of
    /// strokes, sensor noise. Deterministic for a seed.
    /// </summary>
    public static byte[] Plate(int width, int height, int seed = 1)
    {
        var random = new Random(seed);
        var pixels = new byte[width * height];
        var glyphWidth = width / 9.0;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                double value = 170 + (50.0 * x / width) + (15.0 * y / height);
                var border = x < 3 || y < 3 || x >= width - 3 || y >= height - 3;
                var glyph = (int)((x - glyphWidth) / glyphWidth);
                var gx = (x - glyphWidth) - (glyph * glyphWidth);
                var inGlyphRow = y > height * 0.2 && y < height * 0.8;
                if (border)
                {
                    value = 30;
                }
                else if (glyph is >= 0 and < 7 && inGlyphRow && gx > glyphWidth * 0.15 && gx < glyphWidth * 0.85)
                {
                    // Strokes: a left bar, and a middle or diagonal stroke that differs per glyph.
                    var u = (gx - (glyphWidth * 0.15)) / (glyphWidth * 0.7);
                    var v = (y - (height * 0.2)) / (height * 0.6);
                    var stroke = u < 0.25 || (glyph % 2 == 0 ? Math.Abs(v - 0.5) < 0.12 : Math.Abs(u - v) < 0.18) || (glyph % 3 == 0 && u > 0.75);
                    if (stroke)
                    {
                        value = 25;
                    }
                }

                value += random.Next(-6, 7);
                pixels[(y * width) + x] = (byte)Math.Clamp(value, 0, 255);
            }
        }

        return pixels;
    }

    /// <summary>Decodes a JPEG with ffmpeg to 8-bit gray pixels of the expected size.</summary>
    public static async Task<byte[]> DecodeWithFfmpegAsync(byte[] jpeg, int width, int height)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-v", "error", "-f", "image2pipe", "-i", "-", "-f", "rawvideo", "-pix_fmt", "gray", "-" })
        {
            start.ArgumentList.Add(argument);
        }

        using var ffmpeg = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        var output = new MemoryStream();
        var reading = ffmpeg.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = ffmpeg.StandardError.ReadToEndAsync();
        await ffmpeg.StandardInput.BaseStream.WriteAsync(jpeg);
        ffmpeg.StandardInput.Close();
        await reading;
        await ffmpeg.WaitForExitAsync();
        var stderr = await errors;
        Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg could not decode the JPEG (exit {ffmpeg.ExitCode}): {stderr}");
        Assert.True(stderr.Length == 0, $"ffmpeg complained about the JPEG: {stderr}");
        Assert.Equal(width * height, output.Length);
        return output.ToArray();
    }

    /// <summary>Peak signal-to-noise ratio of 8-bit images, in dB (infinity when identical).</summary>
    public static double Psnr(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double sum = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            double d = expected[i] - actual[i];
            sum += d * d;
        }

        var mse = sum / expected.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
