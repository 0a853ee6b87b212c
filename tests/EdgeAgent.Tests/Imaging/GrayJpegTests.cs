using EdgeAnpr.Agent.Imaging;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Imaging;

/// <summary>The gray baseline JPEG encoder, checked by an independent decoder (ffmpeg).</summary>
public sealed class GrayJpegTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_200x60_plate_crop_decodes_above_30_dB_in_a_few_kilobytes()
    {
        var pixels = GrayJpegTestImages.Plate(200, 60);

        var jpeg = GrayJpeg.Encode(pixels, 200, 60);
        var decoded = await GrayJpegTestImages.DecodeWithFfmpegAsync(jpeg, 200, 60);

        var psnr = GrayJpegTestImages.Psnr(pixels, decoded);
        output.WriteLine($"200x60 at quality {GrayJpeg.DefaultQuality}: {jpeg.Length} bytes ({(jpeg.Length + 2) / 3 * 4} in base64), PSNR {psnr:F1} dB");
        Assert.True(psnr > 30, $"PSNR {psnr:F1} dB");
        Assert.InRange(jpeg.Length, 500, 8000);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(13, 7)]
    [InlineData(8, 8)]
    [InlineData(97, 33)]
    [InlineData(320, 96)]
    public async Task Sizes_that_are_not_whole_blocks_decode_to_the_same_size(int width, int height)
    {
        var pixels = GrayJpegTestImages.Plate(width, height, seed: width);

        var jpeg = GrayJpeg.Encode(pixels, width, height, quality: 90);
        var decoded = await GrayJpegTestImages.DecodeWithFfmpegAsync(jpeg, width, height);

        Assert.True(GrayJpegTestImages.Psnr(pixels, decoded) > 30);
    }

    [Fact]
    public async Task Higher_quality_is_larger_and_closer()
    {
        var pixels = GrayJpegTestImages.Plate(200, 60, seed: 7);
        var results = new List<(int Quality, int Bytes, double Psnr)>();
        foreach (var quality in new[] { 30, 50, 75, 90, 100 })
        {
            var jpeg = GrayJpeg.Encode(pixels, 200, 60, quality);
            var decoded = await GrayJpegTestImages.DecodeWithFfmpegAsync(jpeg, 200, 60);
            var psnr = GrayJpegTestImages.Psnr(pixels, decoded);
            output.WriteLine($"quality {quality,3}: {jpeg.Length,6} bytes, PSNR {psnr:F1} dB");
            results.Add((quality, jpeg.Length, psnr));
        }

        for (var i = 1; i < results.Count; i++)
        {
            Assert.True(results[i].Bytes > results[i - 1].Bytes, $"quality {results[i].Quality} is not larger than {results[i - 1].Quality}");
            Assert.True(results[i].Psnr > results[i - 1].Psnr, $"quality {results[i].Quality} is not closer than {results[i - 1].Quality}");
        }
    }

    [Fact]
    public async Task A_stride_wider_than_the_image_reads_only_the_image()
    {
        const int Width = 40;
        const int Height = 20;
        const int Stride = 64;
        var pixels = GrayJpegTestImages.Plate(Width, Height);
        var padded = new byte[Stride * Height];
        Array.Fill(padded, (byte)255);
        for (var y = 0; y < Height; y++)
        {
            pixels.AsSpan(y * Width, Width).CopyTo(padded.AsSpan(y * Stride));
        }

        var decoded = await GrayJpegTestImages.DecodeWithFfmpegAsync(GrayJpeg.Encode(padded, Width, Height, 90, Stride), Width, Height);

        Assert.True(GrayJpegTestImages.Psnr(pixels, decoded) > 30);
    }

    [Fact]
    public async Task A_flat_image_comes_back_almost_exactly()
    {
        var pixels = Enumerable.Repeat((byte)173, 64 * 16).ToArray();

        var decoded = await GrayJpegTestImages.DecodeWithFfmpegAsync(GrayJpeg.Encode(pixels, 64, 16), 64, 16);

        Assert.All(decoded, value => Assert.InRange(value, 172, 174));
    }

    [Fact]
    public void The_file_is_a_jfif_baseline_jpeg()
    {
        var jpeg = GrayJpeg.Encode(GrayJpegTestImages.Plate(50, 20), 50, 20);

        Assert.Equal([0xFF, 0xD8, 0xFF, 0xE0], jpeg[..4]);
        Assert.Equal("JFIF\0"u8.ToArray(), jpeg[6..11]);
        Assert.Equal([0xFF, 0xD9], jpeg[^2..]);
        var sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        Assert.True(sof > 0, "no SOF0 (baseline) marker");
        Assert.Equal(1, jpeg[sof + 9]); // one component
    }

    [Fact]
    public void Quality_50_is_the_annex_K_table_and_100_is_all_ones()
    {
        byte[] annexK =
        [
            16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
            18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
        ];

        Assert.Equal(annexK, GrayJpeg.QuantisationTable(50));
        Assert.All(GrayJpeg.QuantisationTable(100), q => Assert.Equal(1, q));
        Assert.Equal(32, GrayJpeg.QuantisationTable(25)[0]);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var pixels = new byte[100];

        Assert.Throws<ArgumentOutOfRangeException>(() => GrayJpeg.Encode(pixels, 0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrayJpeg.Encode(pixels, 10, 10, quality: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrayJpeg.Encode(pixels, 10, 10, quality: 101));
        Assert.Throws<ArgumentException>(() => GrayJpeg.Encode(pixels, 10, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrayJpeg.Encode(pixels, 10, 5, stride: 9));
    }
}
