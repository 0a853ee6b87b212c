using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;
using static EdgeAnpr.Agent.Tests.Inference.OnnxRuntimeTestEnvironment;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>The committed detector model on labelled photos it was not trained on (the validation split of ir-scenes).</summary>
public sealed class PlateDetectorSceneTests : IDisposable
{
    private const int Images = 6;
    private readonly ITestOutputHelper _output;
    private readonly FakeLogger<PlateDetector> _logger;
    private readonly PlateDetector _detector;

    public PlateDetectorSceneTests(ITestOutputHelper output)
    {
        RequireOnnxRuntime();
        _output = output;
        _logger = TestLogs.For<PlateDetector>(output);
        _detector = PlateDetector.FromFile(SceneData.DetectorModelPath, logger: _logger);
    }

    public void Dispose() => _detector.Dispose();

    private static string Show(PixelRect r) => $"({r.X}, {r.Y}, {r.Width}x{r.Height})";

    [Fact]
    public void The_labelled_plate_is_found_in_most_validation_photos()
    {
        var found = 0;
        foreach (var image in SceneData.ValidationImages(Images))
        {
            using var frame = TestFrames.Create(image.Gray, image.Width, image.Height);
            var plates = _detector.Detect(frame);
            var best = plates.Select(p => p.Box.ToPixelRect().IoU(image.Plate)).DefaultIfEmpty(0).Max();
            _output.WriteLine($"{image.Name} {image.Width}x{image.Height}: labelled {Show(image.Plate)}, {plates.Count} found, best IoU {best:0.00}; " +
                string.Join(", ", plates.Select(p => $"{Show(p.Box.ToPixelRect())} {p.Score:0.00}")));
            found += best >= 0.5 ? 1 : 0;
        }

        // The model's recall on the whole validation split is about 0.9 (training/detector/out/eval.json).
        Assert.True(found >= Images - 1, $"The labelled plate was found (IoU >= 0.5) in {found} of {Images} validation photos.");
        Assert.Contains(_logger.Collector.GetSnapshot(), e => e.Id.Id == 4100 && e.Message.Contains("input 640x384, stride 4", StringComparison.Ordinal));
        _logger.AssertNoErrors();
    }

    [Fact]
    public void A_region_around_the_vehicle_finds_the_same_plate_mapped_back_into_the_frame()
    {
        // The photos are 800x600: put one at the centre of a 1920x1080 frame, as a camera would see a car far away.
        var image = SceneData.ValidationImages(1)[0];
        var (width, height, left, top) = (1920, 1080, 560, 240);
        var gray = new byte[width * height];
        for (var y = 0; y < image.Height; y++)
        {
            image.Gray.AsSpan(y * image.Width, image.Width).CopyTo(gray.AsSpan(((top + y) * width) + left));
        }

        var plate = image.Plate with { X = image.Plate.X + left, Y = image.Plate.Y + top };
        var region = new PixelRect(left, top, image.Width, image.Height);
        var plates = new List<PlateDetection>();
        _detector.Detect(gray, width, height, region, plates);

        _output.WriteLine($"region {Show(region)} letterboxed as {Show(_detector.InputRegion(region, width, height))}: " +
            string.Join(", ", plates.Select(p => $"{Show(p.Box.ToPixelRect())} {p.Score:0.00}")));
        Assert.Contains(plates, p => p.Box.ToPixelRect().IoU(plate) >= 0.5);
    }

    [Fact]
    public void Detecting_allocates_nothing_but_the_results_once_warm()
    {
        var image = SceneData.ValidationImages(1)[0];
        var plates = new List<PlateDetection>(32);
        _detector.Detect(image.Gray, image.Width, image.Height, null, plates);
        _detector.Detect(image.Gray, image.Width, image.Height, null, plates);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++)
        {
            _detector.Detect(image.Gray, image.Width, image.Height, null, plates);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
