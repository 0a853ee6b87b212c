using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>
/// The letterbox of the detector contract and the way back to frame pixels, for frames of several shapes, checked
/// through <see cref="PlateDetector"/> with a stand-in model whose outputs the test writes (the committed sidecar's
/// contract: 640x384 input, stride 4).
/// </summary>
public sealed class LetterboxTests : IDisposable
{
    private readonly FakeDetectorSession _session = new(FakeDetectorSession.CommittedContract);
    private readonly PlateDetector _detector;

    public LetterboxTests()
    {
        _detector = new PlateDetector(_session, _session.Contract);
    }

    public void Dispose() => _detector.Dispose();

    [Theory]
    [InlineData(1280, 720, 0.5, 640, 360)]
    [InlineData(1920, 1080, 1 / 3.0, 640, 360)]
    [InlineData(800, 800, 0.48, 384, 384)]
    [InlineData(1024, 768, 0.5, 512, 384)]
    [InlineData(640, 384, 1.0, 640, 384)]
    [InlineData(320, 240, 1.6, 512, 384)]
    public void The_scale_is_the_smaller_ratio_and_the_size_is_rounded(int width, int height, double scale, int scaledWidth, int scaledHeight)
    {
        var letterbox = Letterbox.Of(new PixelRect(0, 0, width, height), 640, 384);

        Assert.Equal(scale, letterbox.Scale, 12);
        Assert.Equal((scaledWidth, scaledHeight), (letterbox.ScaledWidth, letterbox.ScaledHeight));
    }

    [Fact]
    public void Sizes_round_half_to_even_as_pythons_round()
    {
        // 384/768 = 0.5 exactly: 1025 * 0.5 = 512.5 rounds to 512, 1027 * 0.5 = 513.5 to 514.
        Assert.Equal(512, Letterbox.Of(new PixelRect(0, 0, 1025, 768), 640, 384).ScaledWidth);
        Assert.Equal(514, Letterbox.Of(new PixelRect(0, 0, 1027, 768), 640, 384).ScaledWidth);
    }

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(800, 800)]
    [InlineData(1024, 768)]
    [InlineData(1280, 720)]
    public void A_box_in_the_input_comes_back_divided_by_the_scale(int width, int height)
    {
        var scale = Math.Min(640.0 / width, 384.0 / height);
        _session.AddPlate(0.8f, 100, 60, 180, 80);

        var plates = Detect(Uniform(width, height, 128), width, height);

        var plate = Assert.Single(plates);
        Assert.Equal(new PlateBox(100 / scale, 60 / scale, 180 / scale, 80 / scale), plate.Box);
        Assert.Equal(0.8f, plate.Score);
    }

    [Fact]
    public void Boxes_are_clipped_to_the_frame()
    {
        // An 800x800 frame fills 384x384 of the input; a box reaching into the padding and past the top is cut at the frame.
        _session.AddPlate(0.9f, 350, -10, 420, 30);

        var plate = Assert.Single(Detect(Uniform(800, 800, 128), 800, 800)).Box;

        Assert.Equal(new PlateBox(350 / 0.48, 0, 800, 30 / 0.48), plate);
    }

    [Fact]
    public void The_frame_fills_the_top_left_as_gray_over_255_and_the_padding_is_zero_even_after_a_larger_frame()
    {
        Detect(Uniform(1280, 768, 255), 1280, 768);   // fills the whole 640x384 input
        Detect(Uniform(800, 800, 51), 800, 800);      // 384x384: the rest must be zero again

        for (var y = 0; y < 384; y++)
        {
            for (var x = 0; x < 640; x++)
            {
                Assert.Equal(x < 384 ? 51 / 255f : 0f, _session.LastInput[(y * 640) + x], 6);
            }
        }
    }

    [Fact]
    public void The_input_is_the_bilinear_resize_of_the_frame()
    {
        var (width, height) = (1920, 1080);
        var gray = new byte[width * height];
        new Random(7).NextBytes(gray);
        var expected = new float[640 * 384];
        Bilinear.Resize(gray, width, new PixelRect(0, 0, width, height), expected, 640, 640, 360, 1f / 255f);

        Detect(gray, width, height);

        Assert.Equal(expected, _session.LastInput);
    }

    [Fact]
    public void A_small_region_is_letterboxed_on_its_own_at_most_1_to_1_and_boxes_map_back_into_the_frame()
    {
        var gray = Uniform(1920, 1080, 90);
        _session.AddPlate(0.7f, 100, 50, 200, 90);

        // A 300x150 region grows about its centre to the input's 640x384 at scale 1.
        var region = new PixelRect(1200, 600, 300, 150);
        Assert.Equal(new PixelRect(1030, 483, 640, 384), _detector.InputRegion(region, 1920, 1080));
        var plates = new List<PlateDetection>();
        _detector.Detect(gray, 1920, 1080, region, plates);

        Assert.Equal(new PlateBox(1130, 533, 1230, 573), Assert.Single(plates).Box);
    }

    [Fact]
    public void A_region_near_the_edge_is_shifted_inside_the_frame_and_a_large_one_uses_the_whole_frame()
    {
        Assert.Equal(new PixelRect(1280, 696, 640, 384), _detector.InputRegion(new PixelRect(1850, 1000, 70, 80), 1920, 1080));
        Assert.Equal(new PixelRect(0, 0, 1920, 1080), _detector.InputRegion(new PixelRect(100, 100, 1700, 900), 1920, 1080));

        // 1000x300 at scale 0.64 (limited by the width) grows to 1000x600.
        Assert.Equal(new PixelRect(400, 225, 1000, 600), _detector.InputRegion(new PixelRect(400, 375, 1000, 300), 1920, 1080));
    }

    [Fact]
    public void A_region_outside_the_frame_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => _detector.InputRegion(new PixelRect(2000, 0, 100, 100), 1920, 1080));

        Assert.Contains("outside the 1920x1080 frame", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detecting_reuses_its_buffers()
    {
        var gray = Uniform(1280, 720, 100);
        _session.AddPlate(0.9f, 100, 60, 180, 80);
        var plates = new List<PlateDetection>();
        _detector.Detect(gray, 1280, 720, null, plates);

        // Over many calls, so that a one-time runtime event (tiering, a static initialiser) cannot fail the
        // test but any allocation per call (24 bytes at least) would: 500 calls x 24 B > the 8 KB allowed.
        const int Calls = 500;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            _detector.Detect(gray, 1280, 720, null, plates);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8 * 1024, $"{allocated} bytes allocated over {Calls} calls");
        Assert.Single(plates);
    }

    private static byte[] Uniform(int width, int height, byte value)
    {
        var gray = new byte[width * height];
        gray.AsSpan().Fill(value);
        return gray;
    }

    private List<PlateDetection> Detect(byte[] gray, int width, int height)
    {
        var plates = new List<PlateDetection>();
        _detector.Detect(gray, width, height, null, plates);
        return plates;
    }
}
