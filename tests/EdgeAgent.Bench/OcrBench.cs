using System.Globalization;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Bench;

/// <summary>
/// The plate readers against two general-purpose OCR engines on the same held-out crops (the validation rows of
/// <c>us-plates</c> and <c>ir-plates</c>, never trained on): Tesseract 5 as a command, and PP-OCRv4's recogniser through
/// the project's own ONNX Runtime binding. Exact = the whole canonical text equals the label. Benchmarks print numbers;
/// nothing here is asserted.
/// </summary>
internal static class OcrBench
{
    private const string PaddleModel = "ch_PP-OCRv4_rec_infer.onnx";
    private const string PaddleDictionary = "ppocr_keys_v1.txt";

    private static readonly (string Set, PlateRegion Region, TesseractOcr Tesseract)[] Sets =
    [
        ("us-plates", PlateRegion.Latin, TesseractOcr.Latin),
        ("ir-plates", PlateRegion.Ir, TesseractOcr.Persian),
    ];

    public static int Run(string[] args)
    {
        var limit = int.Parse(Option(args, "--limit") ?? "0", CultureInfo.InvariantCulture);
        var verbose = args.Contains("--verbose");
        var paddleFolder = Option(args, "--ppocr") ?? BenchFiles.Artifact("ppocr");
        var tesseract = TesseractOcr.Version();

        Console.WriteLine($"ocr: held-out validation crops, {Environment.ProcessorCount} CPUs, {ResourceUsage.LoadAverage()}; ONNX Runtime {OnnxRuntimeLibrary.Version}, 1 intra-op thread; {tesseract ?? "Tesseract not installed"}");
        using var paddle = OpenPaddle(paddleFolder);
        Console.WriteLine($"{"set",-10} {"engine",-48} {"exact",9} {"",6} {"p50 ms",8} {"p95 ms",8}");
        foreach (var (set, region, tesseractScript) in Sets)
        {
            var crops = BenchFiles.Validation(set, region, out var problem);
            if (crops is null)
            {
                Console.WriteLine($"{set,-10} skipped: {problem}");
                continue;
            }

            if (limit > 0)
            {
                crops = [.. crops.Take(limit)];
            }

            var grays = crops.Select(c => StillImage.LoadGray(c.Path)).ToArray();
            var labels = crops.Select(c => c.Text).ToArray();
            var reads = new List<(string Engine, string[] Texts)>();

            var (ours, plain, oursTimes) = ReadOurs(region, grays);
            reads.Add(("ours", ours));
            Print(set, $"EdgeAnpr {(region == PlateRegion.Ir ? "plate-reader-ir" : "plate-reader-latin")}, int8", labels, ours, oursTimes);
            Print(set, "  same read, greedy CTC without the grammar", labels, plain, oursTimes);

            if (tesseract is not null)
            {
                var texts = new string[crops.Count];
                var raw = new string[crops.Count];
                var times = Latency.Time(crops.Count, 1, i =>
                {
                    raw[i] = tesseractScript.Read(crops[i].Path);
                    texts[i] = OcrText.Canonical(raw[i], region, rightToLeft: region == PlateRegion.Ir);
                });
                reads.Add(("tesseract", texts));
                reads.Add(("tesseract raw", raw));
                Print(set, $"Tesseract --psm 7 {tesseractScript.Description}", labels, texts, times);
                var oneProcess = tesseractScript.ReadAllInOneProcess(crops.Select(c => c.Path));
                Console.WriteLine($"{"",-10}   same, all {crops.Count} crops in one process (no start-up): {oneProcess.TotalMilliseconds / crops.Count:0.00} ms per crop, mean");
            }

            if (paddle is not null)
            {
                var colors = crops.Select((c, i) => ColorImage.Load(c.Path, grays[i].Width, grays[i].Height)).ToArray();
                var texts = new string[crops.Count];
                var raw = new string[crops.Count];
                var times = Latency.Time(crops.Count, 3, i =>
                {
                    raw[i] = paddle.Read(colors[i]);
                    texts[i] = OcrText.Canonical(raw[i], region, rightToLeft: false);
                });
                reads.Add(("pp-ocr", texts));
                reads.Add(("pp-ocr raw", raw));
                Print(set, "PP-OCRv4 rec, general (ch + Latin), fp32", labels, texts, times);
            }

            if (verbose)
            {
                for (var i = 0; i < crops.Count; i++)
                {
                    Console.WriteLine($"  {Path.GetFileName(crops[i].Path)} '{labels[i]}' " + string.Join(" ", reads.Select(r => $"{r.Engine}='{r.Texts[i].Trim()}'")));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("exact: the whole text, made canonical (upper case, no separators; Persian and Arabic digits as ASCII), equals the label.");
        Console.WriteLine("ms per crop: EdgeAnpr and PP-OCRv4 from the decoded crop to the text (resize, model, decode) in this process;");
        Console.WriteLine("Tesseract: wall time of one `tesseract` process per crop, process start, model load and JPEG decode included.");
        Console.WriteLine("Tesseract reads Persian in right-to-left logical order; its runs are put back in visual order to compare.");
        Console.WriteLine("PP-OCRv4's dictionary has no Persian letters: it cannot read an Iranian plate exactly; shown for its cost.");
        return 0;
    }

    /// <summary>Our reader through the product's API, one crop at a time: its text, its plain greedy text, and per-crop times.</summary>
    private static (string[] Texts, string[] Plain, double[] Times) ReadOurs(PlateRegion region, StillImage[] images)
    {
        var options = new RecognitionOptions();
        options.Regions.Add(region.Code());
        using var readers = PlateReaders.Open(options, new InferenceOptions { IntraOpThreads = 1 });
        var texts = new string[images.Length];
        var plain = new string[images.Length];
        var times = Latency.Time(images.Length, 3, i =>
        {
            var read = readers.Read(images[i].Pixels, images[i].Width, images[i].Bounds);
            texts[i] = read.Characters;
            plain[i] = read.Unconstrained;
        });
        return (texts, plain, times);
    }

    private static PaddleRecognizer? OpenPaddle(string folder)
    {
        var model = Path.Combine(folder, PaddleModel);
        var dictionary = Path.Combine(folder, PaddleDictionary);
        if (!File.Exists(model) || !File.Exists(dictionary))
        {
            Console.WriteLine($"PP-OCRv4 skipped: {folder} lacks {PaddleModel} or {PaddleDictionary} (./build.sh --target=Bench fetches them)");
            return null;
        }

        return PaddleRecognizer.Open(model, dictionary);
    }

    private static void Print(string set, string engine, string[] labels, string[] texts, double[] sortedTimes)
    {
        var exact = labels.Where((label, i) => label == texts[i]).Count();
        Console.WriteLine(
            $"{set,-10} {engine,-48} {$"{exact}/{labels.Length}",9} {(double)exact / labels.Length,6:0.0%} {Latency.Percentile(sortedTimes, 0.5),8:0.00} {Latency.Percentile(sortedTimes, 0.95),8:0.00}");
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
