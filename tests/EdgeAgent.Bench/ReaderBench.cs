using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Bench;

/// <summary>
/// Plate reading cost per plate: <see cref="PlateReaders.Read(ReadOnlySpan{byte}, int, PixelRect)"/> (stretch to the
/// model's input, model, grammar decode) on real held-out crops, one at a time, one intra-op thread, with ONNX Runtime's
/// thread spinning off (the default) and on. Benchmarks print numbers; nothing here is asserted.
/// </summary>
internal static class ReaderBench
{
    private const int Crops = 32;
    private const int Runs = 1000;
    private const int Warmup = 100;

    public static int Run()
    {
        Console.WriteLine($"reader: one plate a call, 1 intra-op thread, models beside the bench ({Path.Combine(AppContext.BaseDirectory, "models")}), {Environment.ProcessorCount} CPUs, {ResourceUsage.LoadAverage()}");
        Console.WriteLine($"{"measure",-52} {"runs",6} {"p50 ms",8} {"p90 ms",8} {"min ms",8} {"B/read",10}");
        foreach (var (set, region) in (ReadOnlySpan<(string, PlateRegion)>)[("us-plates", PlateRegion.Latin), ("ir-plates", PlateRegion.Ir)])
        {
            var crops = BenchFiles.Validation(set, region, out var problem);
            if (crops is null)
            {
                Console.WriteLine($"{region.Code()} reader skipped: {problem}");
                continue;
            }

            var images = crops.Take(Crops).Select(c => StillImage.LoadGray(c.Path)).ToArray();
            foreach (var spinning in (ReadOnlySpan<bool>)[false, true])
            {
                var options = new RecognitionOptions();
                options.Regions.Add(region.Code());
                using var readers = PlateReaders.Open(options, new InferenceOptions { IntraOpThreads = 1, AllowSpinning = spinning });
                var times = Latency.Time(
                    Runs,
                    Warmup,
                    i =>
                    {
                        var image = images[i % images.Length];
                        readers.Read(image.Pixels, image.Width, image.Bounds);
                    },
                    out var bytesPerRun);
                Console.WriteLine(
                    $"{$"{region.Code()} reader, spinning {(spinning ? "on" : "off")}, {images.Length} {set} crops",-52} {Runs,6} {Latency.Percentile(times, 0.5),8:0.000} {Latency.Percentile(times, 0.9),8:0.000} {times[0],8:0.000} {bytesPerRun,10:0.0}");
            }
        }

        return 0;
    }
}
