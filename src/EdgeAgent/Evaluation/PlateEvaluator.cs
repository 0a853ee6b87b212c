using System.Diagnostics;
using System.Threading.Channels;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Recognition;

namespace EdgeAnpr.Agent.Evaluation;

/// <summary>
/// The figures of one evaluation, as <c>eval --json</c> prints them. Detection figures are null for crops; read
/// figures are null when no plate of the set has text.
/// </summary>
/// <param name="Kind"><c>crops</c> or <c>scenes</c>.</param>
/// <param name="Images">Images evaluated (readable, with at least one usable row).</param>
/// <param name="Labelled">Crops: images with text. Scenes: labelled plate boxes, with or without text.</param>
/// <param name="Detected">Scenes: labelled boxes a detection overlaps with IoU at least 0.5 (one detection per box).</param>
/// <param name="DetectionRecall"><paramref name="Detected"/> / <paramref name="Labelled"/>.</param>
/// <param name="Exact">Plates with text read exactly (in a scene: by any read of the photo).</param>
/// <param name="ExactRate"><paramref name="Exact"/> over the plates with text.</param>
/// <param name="CharAccuracy">1 - (edit distance of the reads to the labels) / (characters in the labels), at least 0.</param>
/// <param name="MedianMs">Median time per image of reading (crops) or of detection and reading (scenes); decoding the file is not counted.</param>
/// <param name="P95Ms">95th percentile of the same.</param>
/// <param name="Taken">Plates with text for which the pipeline took a read (in the formats, at least the minimum confidence).</param>
/// <param name="TakenWrong">Of those, the plates whose taken read is not the label: the reads that would raise a false alarm.</param>
public sealed record EvalReport(
    string Kind,
    int Images,
    int Labelled,
    int? Detected,
    double? DetectionRecall,
    int? Exact,
    double? ExactRate,
    double? CharAccuracy,
    double MedianMs,
    double P95Ms,
    int? Taken = null,
    int? TakenWrong = null);

/// <summary>
/// One labelled plate's best read for a confidence sweep: its confidence (0 when outside the formats or not found) and
/// whether its text is the label. A threshold t takes the reads with <paramref name="Confidence"/> at least t.
/// </summary>
public sealed record EvalReadPoint(float Confidence, bool Right);

/// <summary>
/// A labelled plate not read exactly: what it is, what was read (empty for nothing), whether it was found, and the
/// read's confidence and whether the pipeline would have taken it (a right text below the minimum confidence is a miss).
/// </summary>
public sealed record EvalMiss(string File, string Label, string Read, bool Detected, float Confidence = 0, bool Taken = false);

/// <summary>
/// Evaluates the readers (and, for scenes, the detector) on a labelled set, the way the pipeline uses them: crops are
/// read whole; scene photos are searched whole (no motion gate: a still has no motion), plates narrower than the
/// minimum plate width are dropped, and each box is read. A read counts only when the pipeline would take it
/// (<see cref="PlateReaders.Accepts"/>: in the region's formats, confident enough). Images that cannot be decoded are
/// reported through <see cref="Problem"/> and skipped. One thread does the inference; files are decoded ahead on others.
/// The models run once on the first image before anything is timed.
/// </summary>
public sealed class PlateEvaluator(PlateReaders readers, PlateDetector? detector, int minPlateWidth = DetectionOptions.DefaultMinPlateWidth)
{
    /// <summary>IoU at which a detection finds a labelled box.</summary>
    public const double MatchIoU = 0.5;

    /// <summary>Images decoded ahead of the inference thread.</summary>
    private const int Prefetch = 8;

    private readonly RegionOfInterest _wholeFrame = new([]);
    private bool _warm;

    /// <summary>Called with one line for each image that cannot be used.</summary>
    public Action<string>? Problem { get; init; }

    /// <summary>The plates not read exactly, after <see cref="RunAsync"/>, in the set's order.</summary>
    public IReadOnlyList<EvalMiss> Misses { get; private set; } = [];

    /// <summary>Every labelled plate's read (confidence, right or not), after <see cref="RunAsync"/>, for a confidence sweep.</summary>
    public IReadOnlyList<EvalReadPoint> Reads => _reads;

    private readonly List<EvalReadPoint> _reads = [];

    public async Task<EvalReport> RunAsync(EvalSet set, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (set.Kind == EvalKind.Scenes && detector is null)
        {
            throw new InvalidOperationException("Scenes need the plate detector.");
        }

        var tally = new Tally(set.Kind);
        var images = Channel.CreateBounded<(int Index, EvalImage Image, StillImage? Still)>(Prefetch);
        var loading = Task.Run(
            async () =>
            {
                try
                {
                    await Parallel.ForEachAsync(
                        set.Images.Select((image, index) => (image, index)),
                        new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken },
                        async (item, ct) => await images.Writer.WriteAsync((item.index, item.image, Load(set, item.image)), ct));
                }
                finally
                {
                    images.Writer.TryComplete();
                }
            },
            cancellationToken);

        var misses = new List<(int Index, EvalMiss Miss)>();
        await foreach (var (index, image, still) in images.Reader.ReadAllAsync(cancellationToken))
        {
            if (still is null)
            {
                continue;
            }

            foreach (var miss in set.Kind == EvalKind.Crops ? EvaluateCrop(image, still, tally) : EvaluateScene(image, still, tally))
            {
                misses.Add((index, miss));
            }
        }

        await loading;
        Misses = [.. misses.OrderBy(m => m.Index).Select(m => m.Miss)];
        return tally.Report();
    }

    private StillImage? Load(EvalSet set, EvalImage image)
    {
        var path = Path.Combine(set.Folder, image.File);
        try
        {
            return StillImage.LoadGray(path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Problem?.Invoke($"{image.File}: skipped: {ex.Message}");
            return null;
        }
    }

    private IEnumerable<EvalMiss> EvaluateCrop(EvalImage image, StillImage still, Tally tally)
    {
        if (!_warm)
        {
            // ONNX Runtime's first run prepares kernels and buffers: not a cost of reading a plate.
            readers.Read(still.Pixels, still.Width, still.Bounds);
            _warm = true;
        }

        var started = Stopwatch.GetTimestamp();
        var read = readers.Read(still.Pixels, still.Width, still.Bounds);
        tally.Time(Stopwatch.GetElapsedTime(started));
        tally.Image();

        var plate = image.Plates[0];
        if (plate.Text.Length == 0)
        {
            yield break;
        }

        var accepted = readers.Accepts(read) ? read.Text!.Value : "";
        tally.Read(plate.Text, accepted, read.Characters);
        _reads.Add(new EvalReadPoint(read.MatchesGrammar ? read.Confidence : 0f, read.MatchesGrammar && read.Text!.Value == plate.Text));
        if (accepted != plate.Text)
        {
            yield return new EvalMiss(image.File, plate.Text, accepted.Length > 0 ? accepted : read.Characters, Detected: true, read.Confidence, accepted.Length > 0);
        }
    }

    private IEnumerable<EvalMiss> EvaluateScene(EvalImage image, StillImage still, Tally tally)
    {
        if (!_warm)
        {
            StillPlates.Read(still, detector!, readers, _wholeFrame, minPlateWidth);
            _warm = true;
        }

        var started = Stopwatch.GetTimestamp();
        var plates = StillPlates.Read(still, detector!, readers, _wholeFrame, minPlateWidth);
        tally.Time(Stopwatch.GetElapsedTime(started));
        tally.Image();

        // Each detection's text as the pipeline would take it, "" when it would not.
        var taken = plates.Select(p => readers.Accepts(p.Read) ? p.Read.Text!.Value : "").ToArray();
        var assigned = Assign(image.Plates, [.. plates.Select(p => p.Detection)]);
        for (var p = 0; p < image.Plates.Count; p++)
        {
            var plate = image.Plates[p];
            var d = assigned[p];
            tally.Box(d >= 0);
            if (plate.Text.Length == 0)
            {
                continue;
            }

            var exact = taken.Contains(plate.Text, StringComparer.Ordinal);
            var read = d >= 0 ? plates[d].Read : null;
            _reads.Add(read is { MatchesGrammar: true }
                ? new EvalReadPoint(read.Confidence, read.Text!.Value == plate.Text)
                : new EvalReadPoint(0f, false));
            tally.Read(plate.Text, exact ? plate.Text : d >= 0 ? taken[d] : "", exact ? plate.Text : read?.Characters ?? "");
            if (!exact)
            {
                yield return read is null
                    ? new EvalMiss(image.File, plate.Text, "", Detected: false)
                    : new EvalMiss(image.File, plate.Text, taken[d].Length > 0 ? taken[d] : read.Characters, Detected: true, read.Confidence, taken[d].Length > 0);
            }
        }
    }

    /// <summary>For each labelled plate, the detection matched to it one to one (highest IoU first), or -1.</summary>
    internal static int[] Assign(IReadOnlyList<EvalPlate> plates, IReadOnlyList<PlateDetection> found)
    {
        var pairs = new List<(double IoU, int Plate, int Detection)>();
        for (var p = 0; p < plates.Count; p++)
        {
            var box = plates[p].Box!.Value;
            var label = new PlateBox(box.X, box.Y, box.Right, box.Bottom);
            for (var d = 0; d < found.Count; d++)
            {
                var iou = label.IoU(found[d].Box);
                if (iou >= MatchIoU)
                {
                    pairs.Add((iou, p, d));
                }
            }
        }

        var result = Enumerable.Repeat(-1, plates.Count).ToArray();
        var used = new HashSet<int>();
        foreach (var (_, p, d) in pairs.OrderByDescending(x => x.IoU))
        {
            if (result[p] < 0 && used.Add(d))
            {
                result[p] = d;
            }
        }

        return result;
    }

    /// <summary>Levenshtein distance of two strings, by UTF-16 unit (every plate character is one).</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private sealed class Tally(EvalKind kind)
    {
        private readonly List<double> _milliseconds = [];
        private int _images;
        private int _boxes;
        private int _detected;
        private int _texts;
        private int _exact;
        private long _labelChars;
        private long _errors;
        private int _taken;
        private int _takenWrong;

        public void Time(TimeSpan elapsed) => _milliseconds.Add(elapsed.TotalMilliseconds);

        public void Image() => _images++;

        public void Box(bool detected)
        {
            _boxes++;
            _detected += detected ? 1 : 0;
        }

        /// <param name="label">The plate's text.</param>
        /// <param name="accepted">The text the pipeline took for it ("" for none).</param>
        /// <param name="characters">What the reader saw in it, taken or not, for the character accuracy.</param>
        public void Read(string label, string accepted, string characters)
        {
            _texts++;
            _exact += accepted == label ? 1 : 0;
            _taken += accepted.Length > 0 ? 1 : 0;
            _takenWrong += accepted.Length > 0 && accepted != label ? 1 : 0;
            _labelChars += label.Length;
            _errors += EditDistance(characters, label);
        }

        public EvalReport Report()
        {
            var crops = kind == EvalKind.Crops;
            var ms = _milliseconds.Order().ToArray();
            return new EvalReport(
                crops ? "crops" : "scenes",
                _images,
                crops ? _texts : _boxes,
                crops ? null : _detected,
                crops || _boxes == 0 ? null : Math.Round((double)_detected / _boxes, 4),
                _texts == 0 ? null : _exact,
                _texts == 0 ? null : Math.Round((double)_exact / _texts, 4),
                _texts == 0 ? null : Math.Round(Math.Max(0, 1 - ((double)_errors / _labelChars)), 4),
                Math.Round(Percentile(ms, 0.5), 3),
                Math.Round(Percentile(ms, 0.95), 3),
                _texts == 0 ? null : _taken,
                _texts == 0 ? null : _takenWrong);
        }

        /// <summary>Nearest-rank percentile of sorted values; 0 for none.</summary>
        private static double Percentile(double[] sorted, double p) =>
            sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
