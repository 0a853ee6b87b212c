using System.Text.Json;
using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Tests.Imaging;

/// <summary>
/// Bilinear.Resize against OpenCV's <c>cv2.resize(..., INTER_LINEAR)</c>, the resize the models were trained with:
/// Fixtures/bilinear.json holds what OpenCV made of a 13x7 gradient-and-noise image (make_bilinear_fixture.py).
/// </summary>
public sealed class BilinearTests
{
    private static readonly Lazy<Fixture> OpenCv = new(Fixture.Load);

    public static TheoryData<int> Cases() => [.. Enumerable.Range(0, OpenCv.Value.Cases.Count)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_pixel_is_within_one_level_of_opencv(int index)
    {
        var fixture = OpenCv.Value;
        var expected = fixture.Cases[index];

        var actual = Resize(fixture, expected);

        for (var i = 0; i < actual.Length; i++)
        {
            Assert.True(
                Math.Abs(actual[i] - expected.Pixels[i]) <= 1,
                $"{expected}: pixel ({i % expected.Width}, {i / expected.Width}) is {actual[i]}, OpenCV {expected.Pixels[i]}.");
        }
    }

    [Fact]
    public void Follows_opencvs_fixed_point_arithmetic_to_the_level()
    {
        // Stronger than the contract: Bilinear uses OpenCV's integer weights and shifts, so it matches exactly. If a
        // fixture regenerated with another OpenCV breaks only this test, the models still see their training values +-1.
        var fixture = OpenCv.Value;
        var differences = fixture.Cases
            .Select(c => (Case: c, Different: Resize(fixture, c).Zip(c.Pixels).Count(p => p.First != p.Second)))
            .Where(c => c.Different > 0)
            .Select(c => $"{c.Case}: {c.Different} of {c.Case.Pixels.Length} pixels differ")
            .ToArray();

        Assert.Empty(differences);
    }

    [Fact]
    public void Writes_scaled_rows_at_the_destination_stride_and_nothing_else()
    {
        var fixture = OpenCv.Value;
        var expected = fixture.Cases.First(c => c.Width == 20 && c.Height == 8);
        const int stride = 23;
        var destination = new float[(expected.Height * stride) + 5];
        Array.Fill(destination, -1f);

        Bilinear.Resize(fixture.Pixels, fixture.Width, expected.Region, destination, stride, expected.Width, expected.Height, 1f / 255f);

        for (var y = 0; y < expected.Height; y++)
        {
            for (var x = 0; x < stride; x++)
            {
                var value = destination[(y * stride) + x];
                if (x < expected.Width)
                {
                    Assert.Equal(expected.Pixels[(y * expected.Width) + x] / 255f, value, 6);
                }
                else
                {
                    Assert.Equal(-1f, value);
                }
            }
        }

        Assert.All(destination[(expected.Height * stride)..], v => Assert.Equal(-1f, v));
    }

    [Fact]
    public void A_region_in_a_wider_stride_reads_only_its_own_pixels()
    {
        // The fixture image inside a larger picture (stride 40, 5 rows above, 9 columns left) resamples the same.
        var fixture = OpenCv.Value;
        var expected = fixture.Cases.First(c => c.Width == 31);
        const int stride = 40;
        var picture = new byte[stride * 20];
        Array.Fill(picture, (byte)255);
        for (var y = 0; y < fixture.Height; y++)
        {
            fixture.Pixels.AsSpan(y * fixture.Width, fixture.Width).CopyTo(picture.AsSpan(((y + 5) * stride) + 9));
        }

        var actual = new float[expected.Width * expected.Height];
        Bilinear.Resize(picture, stride, new PixelRect(9, 5, fixture.Width, fixture.Height), actual, expected.Width, expected.Width, expected.Height, 1f);

        Assert.Equal(expected.Pixels, actual.Select(v => (int)v));
    }

    [Theory]
    [InlineData(-1, 0, 5, 5)]
    [InlineData(0, -1, 5, 5)]
    [InlineData(9, 0, 5, 5)]
    [InlineData(0, 3, 5, 5)]
    public void A_region_outside_the_source_is_refused(int x, int y, int width, int height)
    {
        // A 13x7 image: a region past its right edge must not wrap onto the next row.
        var fixture = OpenCv.Value;
        var destination = new float[16];

        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => Bilinear.Resize(fixture.Pixels, fixture.Width, new PixelRect(x, y, width, height), destination, 4, 4, 4, 1f));

        Assert.Equal("region", error.ParamName);
    }

    [Fact]
    public void An_empty_region_or_size_and_a_small_destination_are_refused()
    {
        var fixture = OpenCv.Value;
        var destination = new float[16];

        Assert.Throws<ArgumentException>(() => Bilinear.Resize(fixture.Pixels, fixture.Width, new PixelRect(0, 0, 0, 5), destination, 4, 4, 4, 1f));
        Assert.Throws<ArgumentException>(() => Bilinear.Resize(fixture.Pixels, fixture.Width, new PixelRect(0, 0, 5, 5), destination, 4, 0, 4, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bilinear.Resize(fixture.Pixels, fixture.Width, new PixelRect(0, 0, 5, 5), destination, 4, 5, 4, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bilinear.Resize(fixture.Pixels, fixture.Width, new PixelRect(0, 0, 5, 5), destination, 3, 4, 4, 1f));
    }

    private static int[] Resize(Fixture fixture, ResizeCase expected)
    {
        var destination = new float[expected.Width * expected.Height];
        Bilinear.Resize(fixture.Pixels, fixture.Width, expected.Region, destination, expected.Width, expected.Width, expected.Height, 1f);
        return destination.Select(v => (int)v).ToArray();
    }

    private sealed record ResizeCase(PixelRect Region, int Width, int Height, int[] Pixels)
    {
        public override string ToString() => $"{Region.Width}x{Region.Height} at ({Region.X}, {Region.Y}) to {Width}x{Height}";
    }

    private sealed record Fixture(int Width, int Height, byte[] Pixels, IReadOnlyList<ResizeCase> Cases)
    {
        public static Fixture Load()
        {
            var path = RepositoryFiles.Path("tests", "EdgeAgent.Tests", "Imaging", "Fixtures", "bilinear.json");
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var cases = root.GetProperty("cases").EnumerateArray().Select(c =>
            {
                var r = c.GetProperty("region").EnumerateArray().Select(v => v.GetInt32()).ToArray();
                return new ResizeCase(
                    new PixelRect(r[0], r[1], r[2], r[3]),
                    c.GetProperty("width").GetInt32(),
                    c.GetProperty("height").GetInt32(),
                    c.GetProperty("pixels").EnumerateArray().Select(v => v.GetInt32()).ToArray());
            }).ToArray();
            return new Fixture(
                root.GetProperty("width").GetInt32(),
                root.GetProperty("height").GetInt32(),
                root.GetProperty("pixels").EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray(),
                cases);
        }
    }
}
