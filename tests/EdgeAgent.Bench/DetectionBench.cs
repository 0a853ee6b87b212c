using System.Diagnostics;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;

namespace EdgeAnpr.Bench;

/// <summary>
/// Plate detection cost per frame: the detector (letterbox + model + decode) on a 1280x720 frame with one intra-op
/// thread, each part timed apart, and the motion gate on 1920x1080 and 1280x720 frames with a vehicle moving.
/// Benchmarks print numbers; nothing here is asserted.
/// </summary>
internal static class DetectionBench
{
    public static int Run(string[] args)
    {
        var model = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "models", "plate-detector.onnx");
        Console.WriteLine($"detection: {model}, {Environment.ProcessorCount} CPUs, Vector128 accelerated {System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated}");
        Console.WriteLine($"{"measure",-52} {"runs",6} {"p50 ms",8} {"p90 ms",8} {"min ms",8}");
        Detector(model, 1280, 720);
        Detector(model, 1920, 1080);
        Gate(1920, 1080);
        Gate(1280, 720);
        return 0;
    }

    private static void Detector(string model, int width, int height)
    {
        using var detector = PlateDetector.FromFile(model, new InferenceOptions { IntraOpThreads = 1 });
        var gray = Texture(width, height, 0);
        var plates = new List<PlateDetection>(32);
        var full = new PixelRect(0, 0, width, height);
        Print($"detector {width}x{height}, 1 thread: Detect (all)", Time(200, 20, () => detector.Detect(gray, width, height, null, plates)));
        Print($"detector {width}x{height}: a 400x300 region (1:1, 640x384)", Time(100, 10, () => detector.Detect(gray, width, height, new PixelRect(400, 200, 400, 300), plates)));

        var input = new float[detector.InputWidth * detector.InputHeight];
        var letterbox = Letterbox.Of(full, detector.InputWidth, detector.InputHeight);
        Print($"  letterbox {width}x{height} -> {letterbox.ScaledWidth}x{letterbox.ScaledHeight}", Time(200, 20, () => letterbox.Fill(gray, width, input, detector.InputWidth, detector.InputHeight)));

        var contract = DetectorContract.Load(model);
        var decoder = new PeakDecoder(contract.GridHeight, contract.GridWidth, contract.Stride, contract.MaxDetections);
        var heatmap = new float[contract.GridHeight * contract.GridWidth];
        var box = new float[4 * heatmap.Length];
        var random = new Random(3);
        for (var i = 0; i < heatmap.Length; i++)
        {
            heatmap[i] = (float)Math.Pow(random.NextDouble(), 8);
            box[i] = box[heatmap.Length + i] = box[(2 * heatmap.Length) + i] = box[(3 * heatmap.Length) + i] = 20;
        }

        Print("  decode (noisy heatmap, ~50 peaks over 0.3)", Time(200, 20, () => decoder.Decode(heatmap, box, contract.ScoreThreshold, contract.NmsIou)));
    }

    private static void Gate(int width, int height)
    {
        var time = TimeProvider.System;
        var gate = new MotionGate(new MotionGateOptions { Warmup = TimeSpan.Zero }, RegionOfInterest.WholeFrame, time);
        var frames = Enumerable.Range(0, 16).Select(i => Texture(width, height, i, new PixelRect(100 + (60 * i), height / 3, width / 5, height / 5))).ToArray();
        var n = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var timing = Time(500, 50, () => gate.Update(frames[n++ % frames.Length], width, height, time.GetTimestamp()));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Print($"motion gate {width}x{height} -> {gate.SmallSize.Width}x{gate.SmallSize.Height}, vehicle moving", timing);
        Console.WriteLine($"  ({allocated} bytes allocated in 550 updates, {gate.Regions.Count} region(s) in the last)");
    }

    private static byte[] Texture(int width, int height, int seed, PixelRect? vehicle = null)
    {
        var random = new Random(seed);
        var gray = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                gray[(y * width) + x] = (byte)Math.Clamp(100 + (40 * Math.Sin(x / 37.0) * Math.Cos(y / 23.0)) + random.Next(-6, 7), 0, 255);
            }
        }

        if (vehicle is { } v)
        {
            for (var y = v.Y; y < v.Bottom; y++)
            {
                gray.AsSpan((y * width) + v.X, v.Width).Fill(230);
            }
        }

        return gray;
    }

    private static (double P50, double P90, double Min, int Runs) Time(int runs, int warmup, Action step)
    {
        for (var i = 0; i < warmup; i++)
        {
            step();
        }

        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            step();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[runs / 2], times[runs * 9 / 10], times[0], runs);
    }

    private static void Print(string name, (double P50, double P90, double Min, int Runs) t) =>
        Console.WriteLine($"{name,-52} {t.Runs,6} {t.P50,8:0.000} {t.P90,8:0.000} {t.Min,8:0.000}");
}
