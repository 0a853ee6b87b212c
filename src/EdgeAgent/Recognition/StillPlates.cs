using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>One plate found and read in a still: the detection and what the readers made of its crop.</summary>
public sealed record StillPlate(PlateDetection Detection, PixelRect Crop, PlateRead Read);

/// <summary>
/// Every plate of a still image, as <c>eval</c> and <c>replay FOLDER</c> read them: the whole picture searched (a still has
/// no motion to gate on), plates outside the region of interest or narrower than the minimum dropped, each box widened
/// by the readers' crop margins and read in one batch.
/// </summary>
public static class StillPlates
{
    public static IReadOnlyList<StillPlate> Read(StillImage still, PlateDetector detector, PlateReaders readers, RegionOfInterest roi, int minPlateWidth)
    {
        ArgumentNullException.ThrowIfNull(still);
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(readers);
        var found = new List<PlateDetection>();
        detector.Detect(still.Pixels, still.Width, still.Height, region: null, found);
        DetectionStage.Filter(found, roi, minPlateWidth, still.Width, still.Height);
        var kept = found.Select(d => (Detection: d, Crop: readers.CropFor(d.Box, still.Width, still.Height))).Where(x => !x.Crop.IsEmpty).ToArray();
        var reads = readers.Read(still.Pixels, still.Width, kept.Select(x => x.Crop).ToArray());
        return [.. kept.Select((x, i) => new StillPlate(x.Detection, x.Crop, reads[i]))];
    }
}
