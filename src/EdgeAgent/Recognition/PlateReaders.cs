using System.Buffers;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Recognition;

/// <summary>
/// The readers of the configured regions (<see cref="RecognitionOptions.Regions"/>): <c>ir</c> reads with the Iranian
/// model; <c>kz</c>, <c>ru</c> and <c>latin</c> with the Latin model, each decoded with its own formats. Each model a
/// region needs is loaded once and runs once per crop, however many of its regions are read; of the reads, the most
/// confident one matching its region's formats is the crop's plate, a tie going to the region listed first. When
/// none matches, the first region's read is returned, outside the grammar, so the caller still sees what was read.
/// </summary>
/// <remarks>One instance serves one thread at a time, like the models it owns and disposes.</remarks>
public sealed class PlateReaders : IDisposable
{
    private readonly (PlateReaderModel Model, PlateRegion[] Regions)[] _groups;
    private readonly PlateRegion[] _regions;
    private readonly PlateRead[] _one = new PlateRead[1];

    // Two-row reading (TwoRowUnfold): whether any model reads unfolded crops, the unfolded pixels, and the reads to choose from.
    private readonly bool _readsTwoRows;
    private readonly PlateRead[] _candidates;
    private byte[] _unfolded = [];
    private float[] _unfoldScratch = [];

    private readonly double _marginX;
    private readonly double _marginY;

    private PlateReaders((PlateReaderModel Model, PlateRegion[] Regions)[] groups, IReadOnlyList<PlateRegion> regions, RecognitionOptions options)
    {
        _groups = groups;
        _regions = [.. regions];
        _readsTwoRows = groups.Any(g => g.Model.ReadsTwoRows);
        _candidates = new PlateRead[1 + regions.Count];
        _minConfidence = [.. Enum.GetValues<PlateRegion>().Select(r => (float)options.MinConfidenceFor(r))];
        _marginX = options.CropMarginX;
        _marginY = options.CropMarginY;
    }

    /// <summary>The regions read, in the configured order.</summary>
    public IReadOnlyList<PlateRegion> Regions => _regions;

    /// <summary>Each region's minimum confidence (<see cref="RecognitionOptions.MinConfidenceFor"/>), by the region's value.</summary>
    private readonly float[] _minConfidence;

    /// <summary>The minimum confidence of a read of <paramref name="region"/>: <see cref="RecognitionOptions.MinConfidenceFor"/>.</summary>
    public double MinConfidenceFor(PlateRegion region) => _minConfidence[(int)region];

    /// <summary>
    /// Loads the models the configured regions need and checks that each can write its regions' plates. Throws
    /// <see cref="InferenceException"/> naming the model file and the problem.
    /// </summary>
    /// <param name="options">Regions, model paths (relative ones from the program's folder), thresholds.</param>
    /// <param name="inference">How ONNX Runtime runs the models; null for the defaults.</param>
    /// <param name="logger">Where the loaded models are logged; null for no log.</param>
    public static PlateReaders Open(RecognitionOptions options, InferenceOptions? inference = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var regions = options.ResolvedRegions();
        var groups = new List<(PlateReaderModel, PlateRegion[])>();
        try
        {
            foreach (var byModel in regions.GroupBy(r => r == PlateRegion.Ir ? options.ResolvedIranModelPath : options.ResolvedLatinModelPath))
            {
                var model = PlateReaderModel.FromFile(byModel.Key, options.GrammarMargin, inference, logger);
                model.GrammarFor = options.GrammarFor;
                groups.Add((model, byModel.ToArray()));
                foreach (var region in byModel)
                {
                    model.Decoder(region);
                }
            }

            if (logger is not null)
            {
                double iran = options.MinConfidenceFor(PlateRegion.Ir), latin = options.MinConfidenceFor(PlateRegion.Latin);
                Log.ReadersReady(logger, new RegionList(regions), iran, latin, options.GrammarMargin);
            }

            return new PlateReaders([.. groups], regions, options);
        }
        catch
        {
            foreach (var (model, _) in groups)
            {
                model.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// The crop read for a detected plate: its box widened by <see cref="RecognitionOptions.CropMarginX"/> and
    /// <see cref="RecognitionOptions.CropMarginY"/>, in whole pixels, clipped to the frame (empty when nothing is left).
    /// </summary>
    public PixelRect CropFor(PlateBox box, int width, int height)
    {
        var dx = box.Width * _marginX;
        var dy = box.Height * _marginY;
        return new PlateBox(box.Left - dx, box.Top - dy, box.Right + dx, box.Bottom + dy).ToPixelRect().ClipTo(width, height);
    }

    /// <summary>Whether a read counts as a plate: it matches its region's formats with at least its region's <see cref="MinConfidenceFor"/>.</summary>
    public bool Accepts(PlateRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        // Compared in float, the confidence's own precision, so that a minimum of 0.9 admits a read of 0.9f.
        return read.MatchesGrammar && read.Confidence >= _minConfidence[(int)read.Region];
    }

    /// <summary>Reads one crop of an 8-bit gray frame (<paramref name="stride"/> bytes a row).</summary>
    public PlateRead Read(ReadOnlySpan<byte> pixels, int stride, PixelRect crop)
    {
        Read(pixels, stride, [crop], _one);
        var read = _one[0];
        _one[0] = null!;
        return read;
    }

    /// <summary>Reads the crops of an 8-bit gray frame, one result per crop in their order.</summary>
    public IReadOnlyList<PlateRead> Read(ReadOnlySpan<byte> pixels, int stride, ReadOnlySpan<PixelRect> crops)
    {
        var results = new PlateRead[crops.Length];
        Read(pixels, stride, crops, results);
        return results;
    }

    /// <summary>
    /// Reads the crops into <paramref name="results"/> (one per crop). Throws <see cref="ArgumentException"/> for an empty
    /// crop or one outside the frame.
    /// </summary>
    public void Read(ReadOnlySpan<byte> pixels, int stride, ReadOnlySpan<PixelRect> crops, Span<PlateRead> results)
    {
        if (results.Length < crops.Length)
        {
            throw new ArgumentException($"{results.Length} results cannot hold {crops.Length} crops.", nameof(results));
        }

        ReadAsIs(pixels, stride, crops, results);
        if (_readsTwoRows)
        {
            ReadUnfolded(pixels, stride, crops, results);
        }
    }

    private void ReadAsIs(ReadOnlySpan<byte> pixels, int stride, ReadOnlySpan<PixelRect> crops, Span<PlateRead> results)
    {
        if (_groups.Length == 1 && _regions.Length == 1)
        {
            _groups[0].Model.Read(pixels, stride, crops, _regions, results);
            return;
        }

        var all = ArrayPool<PlateRead>.Shared.Rent(crops.Length * _regions.Length);
        try
        {
            // all[i * regions + r] is crop i read for _regions[r].
            foreach (var (model, regions) in _groups)
            {
                var part = ArrayPool<PlateRead>.Shared.Rent(crops.Length * regions.Length);
                try
                {
                    model.Read(pixels, stride, crops, regions, part);
                    for (var i = 0; i < crops.Length; i++)
                    {
                        for (var r = 0; r < regions.Length; r++)
                        {
                            all[(i * _regions.Length) + Array.IndexOf(_regions, regions[r])] = part[(i * regions.Length) + r];
                        }
                    }
                }
                finally
                {
                    ArrayPool<PlateRead>.Shared.Return(part, clearArray: true);
                }
            }

            for (var i = 0; i < crops.Length; i++)
            {
                results[i] = Best(all.AsSpan(i * _regions.Length, _regions.Length));
            }
        }
        finally
        {
            ArrayPool<PlateRead>.Shared.Return(all, clearArray: true);
        }
    }

    /// <summary>
    /// Reads each squarish crop (<see cref="TwoRowUnfold.MayHoldTwoRows"/>) once more, unfolded, with the models trained on
    /// two-row plates, and keeps the better of its reads (<see cref="Best"/>): a crop cannot tell whether it holds one row
    /// (a US plate is 2:1) or two, and the read as it is stays the answer when no unfolded read is in the formats.
    /// </summary>
    private void ReadUnfolded(ReadOnlySpan<byte> pixels, int stride, ReadOnlySpan<PixelRect> crops, Span<PlateRead> results)
    {
        for (var i = 0; i < crops.Length; i++)
        {
            if (!TwoRowUnfold.MayHoldTwoRows(crops[i]))
            {
                continue;
            }

            var (width, height) = TwoRowUnfold.Unfold(pixels, stride, crops[i], ref _unfolded, ref _unfoldScratch);
            ReadOnlySpan<PixelRect> whole = [new PixelRect(0, 0, width, height)];
            _candidates[0] = results[i];
            var count = 1;
            foreach (var (model, regions) in _groups)
            {
                if (model.ReadsTwoRows)
                {
                    model.Read(_unfolded.AsSpan(0, width * height), width, whole, regions, _candidates.AsSpan(count, regions.Length));
                    count += regions.Length;
                }
            }

            results[i] = Best(_candidates.AsSpan(0, count));
            Array.Clear(_candidates);
        }
    }

    public void Dispose()
    {
        foreach (var (model, _) in _groups)
        {
            model.Dispose();
        }
    }

    /// <summary>
    /// Of the reads in their region's formats: one that is the model's own plain reading before one the formats had to
    /// change (a Russian O738EB29 read as it was seen beats the Kazakh 073BEB29 that only look-alikes make of it, however
    /// confident), then the most confident, then the first region's. The first region's read when none is in its formats.
    /// </summary>
    internal static PlateRead Best(ReadOnlySpan<PlateRead> reads)
    {
        PlateRead? best = null;
        foreach (var read in reads)
        {
            if (read.MatchesGrammar && (best is null || Beats(read, best)))
            {
                best = read;
            }
        }

        return best ?? reads[0];

        static bool Beats(PlateRead a, PlateRead b)
        {
            var (plainA, plainB) = (a.Characters == a.Unconstrained, b.Characters == b.Unconstrained);
            return plainA != plainB ? plainA : a.Confidence > b.Confidence;
        }
    }
}
