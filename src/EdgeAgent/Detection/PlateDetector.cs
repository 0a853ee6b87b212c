using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Detection;

/// <summary>
/// Finds plates in gray frames with the detector model (<c>models/plate-detector.onnx</c>) under the contract of its
/// sidecar (<see cref="DetectorContract"/>): letterbox into the model input, run, decode as
/// <c>training/detector/decode.py</c> does, map back to frame pixels.
/// </summary>
/// <remarks>
/// One detector serves one thread at a time: it owns one input buffer and one set of outputs, reused for every frame,
/// so a frame costs no allocation beyond the result list (none with the overload that fills the caller's list). The
/// detector owns its <see cref="InferenceSession"/> and disposes it.
/// </remarks>
public sealed class PlateDetector : IDisposable
{
    /// <summary>
    /// A region is letterboxed on its own only when that enlarges it by at least this factor over the whole frame;
    /// otherwise the whole frame is used, which gives the same picture the model was measured on.
    /// </summary>
    internal const double MinRegionGain = 1.25;

    private readonly InferenceSession _session;
    private readonly DetectorContract _contract;
    private readonly PeakDecoder _decoder;
    private readonly float[] _input;
    private readonly long[] _inputShape;
    private readonly InferenceOutput[] _outputs;

    internal PlateDetector(InferenceSession session, DetectorContract contract, double? scoreThreshold = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(contract);
        if (session.Inputs.Count != 1)
        {
            throw new InferenceException(
                $"Model '{session.ModelName}' has {session.Inputs.Count} inputs ({string.Join("; ", session.Inputs)}), but the detector contract gives one, '{contract.InputName}'; is it the right model?");
        }

        session.RequireInput(contract.InputName, 1, 1, contract.InputHeight, contract.InputWidth);
        session.RequireOutput(contract.HeatmapName, 1, 1, contract.GridHeight, contract.GridWidth);
        session.RequireOutput(contract.BoxName, 1, 4, contract.GridHeight, contract.GridWidth);

        _session = session;
        _contract = contract;
        ScoreThreshold = scoreThreshold is { } threshold ? (float)threshold : contract.ScoreThreshold;
        _decoder = new PeakDecoder(contract.GridHeight, contract.GridWidth, contract.Stride, contract.MaxDetections);
        var cells = contract.GridHeight * contract.GridWidth;

        // One buffer for the detector's life; the session copies it into its own pinned tensor each run.
        _input = new float[contract.InputWidth * contract.InputHeight];
        _inputShape = [1, 1, contract.InputHeight, contract.InputWidth];
        _outputs = [new InferenceOutput(contract.HeatmapName, cells), new InferenceOutput(contract.BoxName, 4 * cells)];
    }

    /// <summary>
    /// Loads the detector model and its contract (the <c>.json</c> beside it) and checks that they agree. Throws
    /// <see cref="InferenceException"/> naming the file and the problem: a missing or malformed contract, a model whose
    /// inputs or outputs differ from it, or a model ONNX Runtime cannot load.
    /// </summary>
    /// <param name="modelPath">The .onnx file; a relative path is taken from the current directory.</param>
    /// <param name="inference">How ONNX Runtime runs it; null for the defaults.</param>
    /// <param name="scoreThreshold">Replaces the contract's <c>scoreThreshold</c>; null to keep it.</param>
    /// <param name="logger">Where the loaded model is logged; null for no log.</param>
    public static PlateDetector FromFile(string modelPath, InferenceOptions? inference = null, double? scoreThreshold = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var contract = DetectorContract.Load(modelPath);
        var session = InferenceSession.FromFile(modelPath, inference, logger);
        try
        {
            var detector = new PlateDetector(session, contract, scoreThreshold);
            if (logger is not null)
            {
                Log.DetectorLoaded(
                    logger, session.ModelName, contract.InputWidth, contract.InputHeight, contract.Stride, detector.ScoreThreshold, contract.NmsIou, contract.MaxDetections);
            }

            return detector;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The model's file path.</summary>
    public string ModelName => _session.ModelName;

    /// <summary>The model input's width in pixels (from the contract).</summary>
    public int InputWidth => _contract.InputWidth;

    /// <summary>The model input's height in pixels (from the contract).</summary>
    public int InputHeight => _contract.InputHeight;

    /// <summary>Lowest score kept: the contract's, unless the options replace it.</summary>
    public float ScoreThreshold { get; }

    /// <summary>Plates in the whole frame, best first.</summary>
    public IReadOnlyList<PlateDetection> Detect(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var results = new List<PlateDetection>();
        Detect(frame.Pixels, frame.Width, frame.Height, null, results);
        return results;
    }

    /// <summary>Plates in a region of the frame (see <see cref="Detect(ReadOnlySpan{byte}, int, int, PixelRect?, List{PlateDetection})"/>), best first.</summary>
    public IReadOnlyList<PlateDetection> Detect(Frame frame, PixelRect region)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var results = new List<PlateDetection>();
        Detect(frame.Pixels, frame.Width, frame.Height, region, results);
        return results;
    }

    /// <summary>
    /// Replaces the contents of <paramref name="results"/> with the plates found, best first, in frame pixels. With a
    /// <paramref name="region"/>, only that part is looked at: it is letterboxed on its own (see
    /// <see cref="InputRegion"/>) when that shows it to the model larger; plates found anywhere in the part letterboxed
    /// are returned, clipped to that part.
    /// </summary>
    /// <param name="gray">8-bit gray pixels, row-major, stride == <paramref name="width"/>.</param>
    /// <param name="width">Frame width.</param>
    /// <param name="height">Frame height.</param>
    /// <param name="region">Where to look, in frame pixels (clipped to the frame); null for the whole frame.</param>
    /// <param name="results">Cleared, then filled.</param>
    public void Detect(ReadOnlySpan<byte> gray, int width, int height, PixelRect? region, List<PlateDetection> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        CheckImage(gray, width, height);
        results.Clear();
        var wanted = region ?? new PixelRect(0, 0, width, height);
        var letterbox = Letterbox.Of(InputRegion(wanted, width, height), InputWidth, InputHeight);

        letterbox.Fill(gray, width, _input, InputWidth, InputHeight);
        var input = new InferenceInput(_contract.InputName, _input, _inputShape);
        _session.Run(new ReadOnlySpan<InferenceInput>(in input), _outputs);

        foreach (var box in _decoder.Decode(_outputs[0].Span, _outputs[1].Span, ScoreThreshold, _contract.NmsIou))
        {
            results.Add(new PlateDetection(letterbox.ToFrame(box.X1, box.Y1, box.X2, box.Y2), box.Score));
        }
    }

    /// <summary>
    /// The part of the frame that is letterboxed for <paramref name="region"/>. A region is grown about its centre
    /// (within the frame) to the model input's shape at the region's scale, so the input is filled with picture rather
    /// than padding, but never beyond 1:1 (upscaling adds no detail and shows plates larger than the model was trained
    /// on). When that would not enlarge the picture by <see cref="MinRegionGain"/> over the whole frame, the whole
    /// frame is used. Throws <see cref="ArgumentException"/> when the region lies outside the frame.
    /// </summary>
    public PixelRect InputRegion(PixelRect region, int width, int height)
    {
        var clipped = region.ClipTo(width, height);
        if (clipped.IsEmpty)
        {
            throw new ArgumentException($"The region {region} lies outside the {width}x{height} frame.", nameof(region));
        }

        var frameScale = Math.Min((double)InputWidth / width, (double)InputHeight / height);
        var scale = Math.Min(1.0, Math.Min((double)InputWidth / clipped.Width, (double)InputHeight / clipped.Height));
        if (scale < frameScale * MinRegionGain)
        {
            return new PixelRect(0, 0, width, height);
        }

        // The tolerance keeps 640 / 0.64 = 1000.0000000000001 at 1000.
        var grownWidth = Math.Min(width, (int)Math.Ceiling((InputWidth / scale) - 1e-6));
        var grownHeight = Math.Min(height, (int)Math.Ceiling((InputHeight / scale) - 1e-6));
        var x = Math.Clamp(clipped.X + (clipped.Width / 2) - (grownWidth / 2), 0, width - grownWidth);
        var y = Math.Clamp(clipped.Y + (clipped.Height / 2) - (grownHeight / 2), 0, height - grownHeight);
        return new PixelRect(x, y, grownWidth, grownHeight);
    }

    public void Dispose()
    {
        foreach (var output in _outputs)
        {
            output.Dispose();
        }

        _session.Dispose();
    }

    private static void CheckImage(ReadOnlySpan<byte> gray, int width, int height)
    {
        if (width <= 0 || height <= 0 || gray.IsEmpty)
        {
            throw new ArgumentException($"Cannot detect plates in an empty image ({width}x{height}, {gray.Length} bytes).", nameof(gray));
        }

        if (gray.Length < (long)width * height)
        {
            throw new ArgumentException($"A {width}x{height} gray image needs {(long)width * height} bytes; {gray.Length} were given.", nameof(gray));
        }
    }
}
