using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Tests.Imaging;

/// <summary>What <c>aim</c> measures: focus (variance of the Laplacian) and brightness.</summary>
public sealed class ImageMeasuresTests
{
    private const int Size = 64;

    [Fact]
    public void A_flat_picture_has_no_focus_and_its_gray_as_brightness()
    {
        var flat = Enumerable.Repeat((byte)90, Size * Size).ToArray();

        Assert.Equal(0, ImageMeasures.LaplacianVariance(flat, Size, Size, new PixelRect(0, 0, Size, Size)));
        Assert.Equal(90, ImageMeasures.MeanGray(flat, Size, Size, new PixelRect(0, 0, Size, Size)));
    }

    [Fact]
    public void Blurring_sharp_edges_lowers_the_focus_measure()
    {
        var sharp = new byte[Size * Size];
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                sharp[(y * Size) + x] = (byte)(((x / 4) + (y / 4)) % 2 == 0 ? 30 : 220);
            }
        }

        var blurred = BoxBlur(sharp);
        var all = new PixelRect(0, 0, Size, Size);

        var sharpFocus = ImageMeasures.LaplacianVariance(sharp, Size, Size, all);
        var blurredFocus = ImageMeasures.LaplacianVariance(blurred, Size, Size, all);

        Assert.True(blurredFocus < sharpFocus / 2, $"blurred {blurredFocus:0} vs sharp {sharpFocus:0}");
        Assert.Equal(125, ImageMeasures.MeanGray(sharp, Size, Size, all));
    }

    [Fact]
    public void Rectangles_are_clipped_to_the_picture()
    {
        var pixels = Enumerable.Range(0, Size * Size).Select(i => (byte)(i % Size < Size / 2 ? 0 : 200)).ToArray();

        Assert.Equal(200, ImageMeasures.MeanGray(pixels, Size, Size, new PixelRect(Size / 2, -10, Size, Size + 20)));
        Assert.Equal(0, ImageMeasures.LaplacianVariance(pixels, Size, Size, new PixelRect(Size + 5, 0, 10, 10)));
    }

    private static byte[] BoxBlur(byte[] source)
    {
        var result = new byte[source.Length];
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                int sum = 0, count = 0;
                for (var dy = -2; dy <= 2; dy++)
                {
                    for (var dx = -2; dx <= 2; dx++)
                    {
                        var (sx, sy) = (x + dx, y + dy);
                        if (sx is >= 0 and < Size && sy is >= 0 and < Size)
                        {
                            sum += source[(sy * Size) + sx];
                            count++;
                        }
                    }
                }

                result[(y * Size) + x] = (byte)(sum / count);
            }
        }

        return result;
    }
}
