using EdgeAnpr.Agent.Detection;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>
/// The decoder against hand-made heatmap and box tensors (no model): each rule of training/detector/decode.py, with
/// boxes compared exactly (every value here is exact in binary, as the reference's float64 arithmetic is).
/// </summary>
public sealed class PeakDecoderTests
{
    private const int Rows = 12;
    private const int Columns = 16;
    private const int Stride = 4;
    private const float Threshold = 0.3f;
    private const double NmsIou = 0.45;

    private readonly float[] _heatmap = new float[Rows * Columns];
    private readonly float[] _box = new float[4 * Rows * Columns];

    [Fact]
    public void A_peak_becomes_the_box_around_its_cell_centre()
    {
        Set(row: 2, column: 3, 0.9f, l: 5, t: 2, r: 7.5f, b: 3);

        var boxes = Decode();

        // Cell centre ((3 + 0.5) * 4, (2 + 0.5) * 4) = (14, 10).
        Assert.Equal([new InputBox(9, 8, 21.5, 13, 0.9f)], boxes);
    }

    [Fact]
    public void Only_the_maximum_of_its_3x3_neighbourhood_is_a_peak()
    {
        Set(row: 5, column: 5, 0.9f);
        Set(row: 6, column: 6, 0.8f);   // diagonal neighbour of 0.9: not a peak
        Set(row: 5, column: 7, 0.7f);   // neighbour of 0.8: not a peak either, though 0.8 itself is none (max-pool, not a chain)
        Set(row: 5, column: 9, 0.6f);   // no larger neighbour: a peak of its own

        var boxes = Decode();

        Assert.Equal([0.9f, 0.6f], boxes.Select(b => b.Score));
    }

    [Fact]
    public void Equal_neighbours_are_both_peaks_and_ties_keep_row_major_order()
    {
        Set(row: 4, column: 9, 0.6f, l: 1, t: 1, r: 1, b: 1);
        Set(row: 4, column: 8, 0.6f, l: 1, t: 1, r: 1, b: 1);
        Set(row: 3, column: 12, 0.6f, l: 1, t: 1, r: 1, b: 1);

        var boxes = Decode();

        // Row-major cell order: (3, 12), (4, 8), (4, 9); centres x 50, 34, 38.
        Assert.Equal([49.0, 33.0, 37.0], boxes.Select(b => b.X1));
    }

    [Fact]
    public void Cells_on_the_border_compare_only_with_cells_inside_the_map()
    {
        Set(row: 0, column: 0, 0.4f);
        Set(row: Rows - 1, column: Columns - 1, 0.5f);

        var boxes = Decode();

        Assert.Equal([0.5f, 0.4f], boxes.Select(b => b.Score));
    }

    [Fact]
    public void The_threshold_itself_is_kept_and_anything_below_it_is_not()
    {
        Set(row: 1, column: 1, Threshold);
        Set(row: 1, column: 8, BitDecrement(Threshold));

        var boxes = Decode();

        Assert.Equal([Threshold], boxes.Select(b => b.Score));
    }

    [Fact]
    public void Nms_drops_a_box_overlapping_a_better_one_by_more_than_the_limit_and_keeps_one_at_the_limit()
    {
        // Centres (2, 2) of cell (0, 0) and (34, 2) of cell (0, 8); boxes given around them.
        Set(row: 0, column: 0, 0.9f, l: 2, t: 2, r: 8, b: 8);           // A = (0, 0, 10, 10)
        Set(row: 0, column: 8, 0.8f, l: 34, t: 2, r: -24, b: 2.5f);      // B = (0, 0, 10, 4.5): IoU with A = 0.45, kept
        Set(row: 6, column: 0, 0.7f, l: 2, t: 26, r: 8, b: -16);         // C = (0, 0, 10, 10): IoU 1 with A, dropped
        Set(row: 6, column: 8, 0.6f, l: 34, t: 26, r: -24, b: -20.4f);   // D = (0, 0, 10, 5.6): IoU with A = 0.56, dropped

        var boxes = Decode();

        Assert.Equal([0.9f, 0.8f], boxes.Select(b => b.Score));
        Assert.Equal(0.45, PeakDecoder.IoU(boxes[0], boxes[1]));
    }

    [Fact]
    public void At_most_max_detections_are_kept_best_first()
    {
        float[] scores = [0.4f, 0.5f, 0.6f, 0.7f, 0.8f];
        for (var i = 0; i < scores.Length; i++)
        {
            Set(row: 2, column: 1 + (3 * i), scores[i], l: 1, t: 1, r: 1, b: 1);
        }

        var boxes = Decode(maxDetections: 3);

        Assert.Equal([0.8f, 0.7f, 0.6f], boxes.Select(b => b.Score));
    }

    [Fact]
    public void Only_the_best_hundred_peaks_are_candidates()
    {
        var decoder = new PeakDecoder(rows: 30, columns: 40, Stride, maxDetections: 500);
        var heatmap = new float[30 * 40];
        var box = new float[4 * 30 * 40];
        var peaks = 0;
        for (var row = 0; row < 30; row += 2)
        {
            for (var column = 0; column < 40; column += 2)
            {
                heatmap[(row * 40) + column] = 0.31f + (0.002f * peaks++);
            }
        }

        var boxes = decoder.Decode(heatmap, box, Threshold, NmsIou);

        Assert.Equal(300, peaks);
        Assert.Equal(PeakDecoder.MaxCandidates, boxes.Length);
        Assert.Equal(heatmap.Max(), boxes[0].Score);
        Assert.Equal(heatmap.Order().ElementAt(heatmap.Length - 100), boxes[^1].Score);
    }

    [Fact]
    public void An_empty_heatmap_gives_no_boxes_and_a_wrong_size_is_refused()
    {
        Assert.Empty(Decode());

        var error = Assert.Throws<ArgumentException>(() => new PeakDecoder(Rows, Columns, Stride, 20).Decode(new float[10], _box, Threshold, NmsIou));
        Assert.Contains("16x12 grid needs 192", error.Message, StringComparison.Ordinal);
    }

    private static float BitDecrement(float value) => MathF.BitDecrement(value);

    private InputBox[] Decode(int maxDetections = 20) =>
        new PeakDecoder(Rows, Columns, Stride, maxDetections).Decode(_heatmap, _box, Threshold, NmsIou).ToArray();

    private void Set(int row, int column, float score, float l = 2, float t = 2, float r = 2, float b = 2)
    {
        var cell = (row * Columns) + column;
        _heatmap[cell] = score;
        _box[cell] = l;
        _box[(Rows * Columns) + cell] = t;
        _box[(2 * Rows * Columns) + cell] = r;
        _box[(3 * Rows * Columns) + cell] = b;
    }
}
