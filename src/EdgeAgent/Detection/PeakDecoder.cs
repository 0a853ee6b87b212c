namespace EdgeAnpr.Agent.Detection;

/// <summary>A decoded box in model-input pixels (float64, as decode.py computes it) and its score.</summary>
internal readonly record struct InputBox(double X1, double Y1, double X2, double Y2, float Score);

/// <summary>
/// The detector's output decoder, a line-for-line port of the reference <c>training/detector/decode.py</c>
/// (<c>decode</c>): peaks of the heatmap (score at or above the threshold and equal to the maximum of its 3x3
/// neighbourhood, cells outside the map not counting) become boxes <c>cx - l, cy - t, cx + r, cy + b</c> around their
/// cell centre <c>((col + 0.5) stride, (row + 0.5) stride)</c>; the best <see cref="MaxCandidates"/> by score (ties:
/// row-major order) go through greedy NMS (a box is dropped when its IoU with a kept one is above the limit) until
/// <c>maxDetections</c> are kept. Buffers are sized once, so decoding a frame allocates nothing.
/// </summary>
internal sealed class PeakDecoder
{
    /// <summary>decode.py <c>MAX_CANDIDATES</c>: peaks considered for NMS, best first.</summary>
    public const int MaxCandidates = 100;

    private readonly int _rows;
    private readonly int _columns;
    private readonly int _stride;
    private readonly Peak[] _peaks;
    private readonly InputBox[] _kept;

    public PeakDecoder(int rows, int columns, int stride, int maxDetections)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDetections);
        _rows = rows;
        _columns = columns;
        _stride = stride;
        _peaks = new Peak[rows * columns];
        _kept = new InputBox[maxDetections];
    }

    /// <summary>
    /// Decodes one output: <paramref name="heatmap"/> is rows x columns scores, <paramref name="box"/> the four planes
    /// l, t, r, b of the same size. Returns the kept boxes, best first; the span is valid until the next call.
    /// </summary>
    public ReadOnlySpan<InputBox> Decode(ReadOnlySpan<float> heatmap, ReadOnlySpan<float> box, float scoreThreshold, double nmsIou)
    {
        var cells = _rows * _columns;
        if (heatmap.Length != cells || box.Length != 4 * cells)
        {
            throw new ArgumentException(
                $"The detector output has {heatmap.Length} heatmap and {box.Length} box values; a {_columns}x{_rows} grid needs {cells} and {4 * cells}.");
        }

        var count = FindPeaks(heatmap, scoreThreshold);
        var peaks = _peaks.AsSpan(0, count);

        // numpy argsort(-scores, kind="stable") over row-major peaks: score descending, then cell index ascending.
        peaks.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Cell.CompareTo(b.Cell));
        peaks = peaks[..Math.Min(count, MaxCandidates)];

        var kept = 0;
        foreach (var peak in peaks)
        {
            var row = peak.Cell / _columns;
            var column = peak.Cell % _columns;
            var cx = (column + 0.5) * _stride;
            var cy = (row + 0.5) * _stride;
            var candidate = new InputBox(
                cx - box[peak.Cell],
                cy - box[cells + peak.Cell],
                cx + box[(2 * cells) + peak.Cell],
                cy + box[(3 * cells) + peak.Cell],
                peak.Score);
            if (Survives(candidate, _kept.AsSpan(0, kept), nmsIou))
            {
                _kept[kept++] = candidate;
                if (kept >= _kept.Length)
                {
                    break;
                }
            }
        }

        return _kept.AsSpan(0, kept);
    }

    /// <summary>decode.py <c>iou</c>: 0 when the boxes do not overlap or the union is empty.</summary>
    public static double IoU(in InputBox a, in InputBox b)
    {
        var iw = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1);
        var ih = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        if (iw <= 0 || ih <= 0)
        {
            return 0;
        }

        var inter = iw * ih;
        var union = ((a.X2 - a.X1) * (a.Y2 - a.Y1)) + ((b.X2 - b.X1) * (b.Y2 - b.Y1)) - inter;
        return union > 0 ? inter / union : 0;
    }

    private static bool Survives(in InputBox candidate, ReadOnlySpan<InputBox> kept, double nmsIou)
    {
        foreach (ref readonly var other in kept)
        {
            if (IoU(candidate, other) > nmsIou)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Cells at or above the threshold that equal their 3x3 maximum (max-pool, stride 1, padding outside the map), row-major.</summary>
    private int FindPeaks(ReadOnlySpan<float> heatmap, float scoreThreshold)
    {
        var count = 0;
        for (var row = 0; row < _rows; row++)
        {
            var top = Math.Max(row - 1, 0);
            var bottom = Math.Min(row + 1, _rows - 1);
            for (var column = 0; column < _columns; column++)
            {
                var score = heatmap[(row * _columns) + column];
                if (!(score >= scoreThreshold) || !IsLocalMaximum(heatmap, score, top, bottom, Math.Max(column - 1, 0), Math.Min(column + 1, _columns - 1)))
                {
                    continue;
                }

                _peaks[count++] = new Peak((row * _columns) + column, score);
            }
        }

        return count;
    }

    private bool IsLocalMaximum(ReadOnlySpan<float> heatmap, float score, int top, int bottom, int left, int right)
    {
        for (var y = top; y <= bottom; y++)
        {
            var line = heatmap.Slice(y * _columns, _columns);
            for (var x = left; x <= right; x++)
            {
                if (line[x] > score)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private readonly record struct Peak(int Cell, float Score);
}
