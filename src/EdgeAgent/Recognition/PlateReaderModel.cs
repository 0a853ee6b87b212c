using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>
/// One plate reader model (<c>models/plate-reader-ir.onnx</c>, <c>models/plate-reader-latin.onnx</c>) under the
/// contract of its sidecar (<see cref="ReaderContract"/>): crops of a gray frame stretched to the model's input with
/// <see cref="Bilinear"/> (gray/255, no aspect padding, as <c>training/platereader/preprocess.py</c>), run as one
/// batch, and each crop's output columns decoded with the grammar of each region asked for.
/// </summary>
/// <remarks>
/// One model serves one thread at a time: it owns one input buffer and one output, reused for every batch and grown
/// only when a batch is larger than any before, so a read costs no allocation beyond its results. The model owns its
/// <see cref="InferenceSession"/> and disposes it.
/// </remarks>
public sealed class PlateReaderModel : IDisposable
{
    /// <summary>Most crops run at once; a longer list runs in batches of this many.</summary>
    public const int MaxBatch = 16;

    private readonly InferenceSession _session;
    private readonly ReaderContract _contract;
    private readonly InferenceOutput _output;
    private readonly long[] _inputShape;
    private readonly int _maxBatch;
    private readonly double _grammarMargin;
    private Func<PlateRegion, PlateGrammar> _grammarFor = PlateGrammar.For;
    private readonly PlateDecoder?[] _decoders = new PlateDecoder?[Enum.GetValues<PlateRegion>().Length];
    private float[] _input = [];
    private float[] _logProbabilities = [];

    internal PlateReaderModel(InferenceSession session, ReaderContract contract, double grammarMargin)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(contract);
        if (session.Inputs.Count != 1)
        {
            throw new InferenceException(
                $"Model '{session.ModelName}' has {session.Inputs.Count} inputs ({string.Join("; ", session.Inputs)}), but its contract '{contract.SidecarPath}' gives one, '{contract.InputName}'; is it the right model?");
        }

        var input = session.RequireInput(contract.InputName, -1, 1, contract.InputHeight, contract.InputWidth);
        if (input.Dimensions[0] > 1)
        {
            throw new InferenceException(
                $"Model '{session.ModelName}' input {input} has a fixed batch of {input.Dimensions[0]}; this program runs plate readers with a batch of 1 or any size.");
        }

        var output = session.Outputs.FirstOrDefault(o => o.Name == contract.OutputName)
            ?? throw new InferenceException($"Model '{session.ModelName}' has no output '{contract.OutputName}' (contract '{contract.SidecarPath}'); its outputs are: {string.Join("; ", session.Outputs)}.");
        if (output.ElementType != TensorElementType.Float32 || output.Dimensions.Count != 3)
        {
            throw new InferenceException(
                $"Model '{session.ModelName}' output {output} is not float32 [batch, steps, classes] as its contract '{contract.SidecarPath}' says; is it the right model?");
        }

        CheckClasses(session.ModelName, contract, output.Dimensions[2]);
        if (contract.TimeSteps is { } steps && output.Dimensions[1] >= 0 && output.Dimensions[1] != steps)
        {
            throw new InferenceException(
                $"Model '{session.ModelName}' output {output} has {output.Dimensions[1]} steps, but its contract '{contract.SidecarPath}' says timeSteps {steps}.");
        }

        _session = session;
        _contract = contract;
        _grammarMargin = grammarMargin;
        _maxBatch = input.Dimensions[0] == 1 ? 1 : MaxBatch;
        _inputShape = [1, 1, contract.InputHeight, contract.InputWidth];
        var classes = contract.Charset.Count;
        _output = new InferenceOutput(contract.OutputName, (contract.TimeSteps ?? 64) * classes);
    }

    /// <summary>The model's full file path.</summary>
    public string ModelName => _session.ModelName;

    public int InputWidth => _contract.InputWidth;

    public int InputHeight => _contract.InputHeight;

    /// <summary>Whether the model was trained on unfolded two-row plates (<see cref="TwoRowUnfold"/>): its contract's <c>twoRow</c>.</summary>
    public bool ReadsTwoRows => _contract.TwoRow;

    /// <summary>The character of each output class; the blank is "".</summary>
    public IReadOnlyList<string> Charset => _contract.Charset;

    /// <summary>
    /// Loads a reader model and its contract (the <c>.json</c> beside it) and checks that they agree. Throws
    /// <see cref="InferenceException"/> naming the file and the problem: a missing or malformed contract, a model whose
    /// input or output differs from it (another size, another number of classes), or a model that is missing or that ONNX
    /// Runtime cannot load.
    /// </summary>
    /// <param name="modelPath">The .onnx file; a relative path is taken from the current directory.</param>
    /// <param name="grammarMargin">See <see cref="PlateDecoder.GrammarMargin"/>.</param>
    /// <param name="inference">How ONNX Runtime runs it; null for the defaults.</param>
    /// <param name="logger">Where the loaded model is logged; null for no log.</param>
    public static PlateReaderModel FromFile(
        string modelPath, double grammarMargin = RecognitionOptions.DefaultGrammarMargin, InferenceOptions? inference = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath))
        {
            throw new InferenceException($"Model file '{fullPath}' does not exist.");
        }

        var contract = ReaderContract.Load(modelPath);
        var session = InferenceSession.FromFile(modelPath, inference, logger);
        try
        {
            var model = new PlateReaderModel(session, contract, grammarMargin);
            if (logger is not null)
            {
                Log.ReaderLoaded(logger, session.ModelName, contract.InputWidth, contract.InputHeight, contract.Charset.Count, contract.OutputIsLogits ? "logits" : "log-softmax");
            }

            return model;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The decoder of <paramref name="region"/> for this model's classes, made on first use. Throws
    /// <see cref="InferenceException"/> when the model cannot write the region's plates (a format needs a character
    /// its charset lacks: the Iranian reader asked for Russian plates).
    /// </summary>
    /// <summary>
    /// The formats each region is decoded with; default <see cref="PlateGrammar.For"/>. Set it before the first read
    /// (<see cref="RecognitionOptions.GrammarFor"/> adds a site's own Latin formats).
    /// </summary>
    public Func<PlateRegion, PlateGrammar> GrammarFor
    {
        get => _grammarFor;
        set
        {
            _grammarFor = value ?? throw new ArgumentNullException(nameof(value));
            Array.Clear(_decoders);
        }
    }

    public PlateDecoder Decoder(PlateRegion region)
    {
        var index = (int)region;
        if (_decoders[index] is { } decoder)
        {
            return decoder;
        }

        try
        {
            return _decoders[index] = new PlateDecoder(_contract.Charset, _contract.Blank, GrammarFor(region), _grammarMargin);
        }
        catch (ArgumentException ex)
        {
            throw new InferenceException($"Model '{ModelName}' cannot read {region.Code()} plates: {ex.Message}", ex);
        }
    }

    /// <summary>Reads each crop for one region.</summary>
    /// <param name="pixels">The 8-bit gray frame, row-major.</param>
    /// <param name="stride">Bytes from one row to the next (the frame width).</param>
    /// <param name="crops">The plate boxes, in frame pixels; each must be non-empty and inside the frame.</param>
    /// <param name="region">Whose grammar the reads are decoded with.</param>
    public PlateRead[] Read(ReadOnlySpan<byte> pixels, int stride, ReadOnlySpan<PixelRect> crops, PlateRegion region)
    {
        var results = new PlateRead[crops.Length];
        Read(pixels, stride, crops, [region], results);
        return results;
    }

    /// <summary>
    /// Reads each crop once and decodes it for each of <paramref name="regions"/>: the read of crop <c>i</c> for region
    /// <c>r</c> goes to <c>results[i * regions.Length + r]</c>. Throws <see cref="ArgumentException"/> for an empty crop
    /// or one outside the frame, and <see cref="InferenceException"/> when the model's output breaks its contract.
    /// </summary>
    public void Read(ReadOnlySpan<byte> pixels, int stride, ReadOnlySpan<PixelRect> crops, ReadOnlySpan<PlateRegion> regions, Span<PlateRead> results)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (results.Length < crops.Length * regions.Length)
        {
            throw new ArgumentException($"{results.Length} results cannot hold {crops.Length} crops x {regions.Length} regions.", nameof(results));
        }

        for (var i = 0; i < crops.Length; i++)
        {
            var crop = crops[i];
            if (crop.IsEmpty)
            {
                throw new ArgumentException($"Crop {i}, {Describe(crop)}, is empty: there is no plate to read.", nameof(crops));
            }

            if (crop.X < 0 || crop.Y < 0 || crop.Right > stride || (long)(crop.Bottom - 1) * stride + crop.Right > pixels.Length)
            {
                throw new ArgumentException(
                    $"Crop {i}, {Describe(crop)}, lies outside the {stride}x{pixels.Length / stride} frame.", nameof(crops));
            }
        }

        for (var r = 0; r < regions.Length; r++)
        {
            Decoder(regions[r]);
        }

        for (var start = 0; start < crops.Length; start += _maxBatch)
        {
            var batch = crops.Slice(start, Math.Min(_maxBatch, crops.Length - start));
            RunBatch(pixels, stride, batch, regions, results.Slice(start * regions.Length, batch.Length * regions.Length));
        }
    }

    public void Dispose()
    {
        _output.Dispose();
        _session.Dispose();
    }

    private static string Describe(PixelRect crop) => $"{crop.Width}x{crop.Height} at ({crop.X}, {crop.Y})";

    private static void CheckClasses(string model, ReaderContract contract, long classes)
    {
        if (classes >= 0 && classes != contract.Charset.Count)
        {
            throw new InferenceException(
                $"Model '{model}' gives {classes} classes per step, but its contract '{contract.SidecarPath}' lists {contract.Charset.Count} (charset, blank included); the model and its .json do not belong together.");
        }
    }

    private void RunBatch(ReadOnlySpan<byte> pixels, int stride, ReadOnlySpan<PixelRect> crops, ReadOnlySpan<PlateRegion> regions, Span<PlateRead> results)
    {
        var plane = _contract.InputWidth * _contract.InputHeight;
        if (_input.Length < crops.Length * plane)
        {
            // Grown only for a larger batch than any before; the session copies it into its own pinned tensor each run.
            _input = new float[crops.Length * plane];
        }

        for (var i = 0; i < crops.Length; i++)
        {
            Bilinear.Resize(
                pixels, stride, crops[i], _input.AsSpan(i * plane, plane), _contract.InputWidth, _contract.InputWidth, _contract.InputHeight, 1f / 255f);
        }

        _inputShape[0] = crops.Length;
        _session.Run(new InferenceInput(_contract.InputName, _input.AsMemory(0, crops.Length * plane), _inputShape), _output);

        var shape = _output.Shape;
        if (shape.Length != 3 || shape[0] != crops.Length || shape[1] <= 0)
        {
            throw new InferenceException(
                $"Model '{ModelName}' output '{_contract.OutputName}' came back {TensorInfo.FormatShape(shape)} for {crops.Length} crops, not [{crops.Length}, steps, classes].");
        }

        CheckClasses(ModelName, _contract, shape[2]);
        var steps = (int)shape[1];
        var size = steps * _contract.Charset.Count;
        if (_logProbabilities.Length < size)
        {
            _logProbabilities = new float[size];
        }

        var scores = _logProbabilities.AsSpan(0, size);
        for (var i = 0; i < crops.Length; i++)
        {
            _output.Span.Slice(i * size, size).CopyTo(scores);
            if (_contract.OutputIsLogits)
            {
                PlateDecoder.LogSoftmax(scores, _contract.Charset.Count);
            }

            for (var r = 0; r < regions.Length; r++)
            {
                results[(i * regions.Length) + r] = Decoder(regions[r]).Decode(scores, steps);
            }
        }
    }
}
