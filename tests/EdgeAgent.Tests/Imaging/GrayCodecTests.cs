using EdgeAnpr.Agent.Imaging;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Imaging;

/// <summary>The hit crop's JPEG through SkiaSharp, checked by an independent decoder (ffmpeg) and by our own.</summary>
public sealed class GrayCodecTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_200x60_plate_crop_decodes_above_30_dB_in_a_few_kilobytes()
    {
        var pixels = TestImages.Plate(200, 60);

        var jpeg = GrayCodec.EncodeJpeg(pixels, 200, 60);
        var decoded = await TestImages.DecodeWithFfmpegAsync(jpeg, 200, 60);

        var psnr = TestImages.Psnr(pixels, decoded);
        output.WriteLine($"200x60 at quality {GrayCodec.DefaultJpegQuality}: {jpeg.Length} bytes ({(jpeg.Length + 2) / 3 * 4} in base64), PSNR {psnr:F1} dB");
        Assert.True(psnr > 30, $"PSNR {psnr:F1} dB");
        Assert.InRange(jpeg.Length, 500, 8000);
    }

    [Fact]
    public void A_crop_round_trips_through_the_still_decoder()
    {
        var pixels = TestImages.Plate(200, 60, seed: 3);

        var still = GrayCodec.Decode(GrayCodec.EncodeJpeg(pixels, 200, 60, quality: 90), "crop.jpg");

        Assert.Equal((200, 60), (still.Width, still.Height));
        Assert.True(TestImages.Psnr(pixels, still.Pixels) > 30);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(13, 7)]
    [InlineData(8, 8)]
    [InlineData(97, 33)]
    [InlineData(320, 96)]
    public async Task Sizes_that_are_not_whole_blocks_decode_to_the_same_size(int width, int height)
    {
        var pixels = TestImages.Plate(width, height, seed: width);

        var jpeg = GrayCodec.EncodeJpeg(pixels, width, height, quality: 90);
        var decoded = await TestImages.DecodeWithFfmpegAsync(jpeg, width, height);

        Assert.True(TestImages.Psnr(pixels, decoded) > 30);
    }

    [Fact]
    public async Task Higher_quality_is_larger_and_closer()
    {
        var pixels = TestImages.Plate(200, 60, seed: 7);
        var results = new List<(int Quality, int Bytes, double Psnr)>();
        foreach (var quality in new[] { 30, 50, 75, 90, 100 })
        {
            var jpeg = GrayCodec.EncodeJpeg(pixels, 200, 60, quality);
            var decoded = await TestImages.DecodeWithFfmpegAsync(jpeg, 200, 60);
            var psnr = TestImages.Psnr(pixels, decoded);
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
    public async Task A_flat_image_comes_back_almost_exactly()
    {
        var pixels = Enumerable.Repeat((byte)173, 64 * 16).ToArray();

        var decoded = await TestImages.DecodeWithFfmpegAsync(GrayCodec.EncodeJpeg(pixels, 64, 16), 64, 16);

        Assert.All(decoded, value => Assert.InRange(value, 172, 174));
    }

    [Fact]
    public void The_file_is_a_baseline_jpeg_of_one_gray_component()
    {
        var jpeg = GrayCodec.EncodeJpeg(TestImages.Plate(50, 20), 50, 20);

        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        Assert.Equal([0xFF, 0xD9], jpeg[^2..]);
        var sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        Assert.True(sof > 0, "no SOF0 (baseline) marker");
        Assert.Equal(1, jpeg[sof + 9]); // one component
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var pixels = new byte[100];

        Assert.Throws<ArgumentOutOfRangeException>(() => GrayCodec.EncodeJpeg(pixels, 0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrayCodec.EncodeJpeg(pixels, 10, 10, quality: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrayCodec.EncodeJpeg(pixels, 10, 10, quality: 101));
        Assert.Throws<ArgumentException>(() => GrayCodec.EncodeJpeg(pixels, 10, 11));
    }
}
