using EdgeAnpr.Agent.Imaging;
using SkiaSharp;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Imaging;

/// <summary>The snapshot's picture: the gray frame in colour, the outlines drawn where they belong.</summary>
public sealed class AnnotatedJpegTests(ITestOutputHelper output)
{
    [Fact]
    public void Plates_are_green_the_region_yellow_and_the_rest_stays_gray()
    {
        const int width = 320, height = 200;
        var gray = Enumerable.Repeat((byte)100, width * height).ToArray();

        var jpeg = AnnotatedJpeg.Encode(
            gray, width, height, [new SKPoint(10, 10), new SKPoint(300, 10), new SKPoint(160, 190)], [new SKRect(100, 60, 200, 90)], []);

        using var bitmap = SKBitmap.Decode(jpeg);
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        output.WriteLine($"{bitmap.GetPixel(100, 75)} {bitmap.GetPixel(150, 60)} {bitmap.GetPixel(150, 10)} {bitmap.GetPixel(150, 140)}");
        Assert.True(IsGreen(bitmap.GetPixel(150, 60)), $"top edge of the plate: {bitmap.GetPixel(150, 60)}");
        Assert.True(IsGreen(bitmap.GetPixel(100, 75)), $"left edge of the plate: {bitmap.GetPixel(100, 75)}");
        var yellow = bitmap.GetPixel(150, 10);
        Assert.True(yellow.Red > 200 && yellow.Green > 180 && yellow.Blue < 80, $"region's top edge: {yellow}");
        var inside = bitmap.GetPixel(150, 140);
        Assert.InRange(inside.Red, 97, 103);
        Assert.Equal(inside.Red, inside.Green);
    }

    private static bool IsGreen(SKColor c) => c.Green > c.Red + 80 && c.Green > c.Blue + 80;
}
