using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Imaging;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Detection;

/// <summary>What the motion gate made of a frame.</summary>
public enum MotionState
{
    /// <summary>The background is still being learnt (the first <see cref="MotionGateOptions.Warmup"/>): motion unknown.</summary>
    WarmingUp,

    /// <summary>Nothing moves inside the region of interest.</summary>
    Still,

    /// <summary>Something moves: see <see cref="MotionGate.Regions"/>.</summary>
    Moving,

    /// <summary>Most of the picture changed at once (a change of light); the background was re-learnt from this frame.</summary>
    LightingChange,
}

/// <summary>
/// A cheap foreground detector that tells the plate detector where vehicles are. Each frame is box-filtered down to
/// about <see cref="MotionGateOptions.DownscaleWidth"/> pixels wide by a whole factor k (the last width % k columns
/// and height % k rows are left out) and compared with a running-average background (<c>b += rate (frame - b)</c>).
/// Small pixels that differ by more than <see cref="MotionGateOptions.Threshold"/> are foreground, and learn at a
/// tenth of the rate (<see cref="ForegroundSlowdown"/>): a passing vehicle leaves no ghost behind it, while one that
/// stops still fades into the background, ten times more slowly. Foreground pixels are counted in
/// blocks of <see cref="BlockSize"/> x <see cref="BlockSize"/>, and a block with at least a quarter of its pixels
/// foreground is active, which drops isolated noise pixels the way an opening would. 8-connected active blocks are
/// one moving object; objects smaller than <see cref="MotionGateOptions.MinAreaFraction"/> are ignored, the others
/// padded by a block, mapped to frame pixels and merged where they overlap (<see cref="Regions"/>).
/// </summary>
/// <remarks>
/// Changes of light: when more than <see cref="MotionGateOptions.LightingChangeFraction"/> of the watched picture
/// changes in one frame (auto exposure stepping, headlights flooding the scene, the street lights coming on), flagging
/// it all as motion would only make the detector run on the whole frame until the background caught up, several
/// seconds. The gate instead copies that frame into the background and says <see cref="MotionState.LightingChange"/>;
/// the caller runs the detector on the whole watched picture for that one frame, since a flash of headlights often
/// means a vehicle is there. Motion outside the region of interest is ignored, and the fraction is of the pixels
/// inside it. Allocation-free per frame once the first frame (or a change of frame size) has sized the buffers.
/// One gate serves one camera, from one thread.
/// </remarks>
public sealed class MotionGate
{
    /// <summary>Side of the blocks, in small pixels, that foreground is counted in.</summary>
    public const int BlockSize = 4;

    /// <summary>Foreground pixels learn at the learning rate divided by this.</summary>
    public const int ForegroundSlowdown = 10;

    private readonly MotionGateOptions _options;
    private readonly RegionOfInterest _roi;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly List<PixelRect> _regions = [];

    private int _width;
    private int _height;
    private int _factor;
    private int _smallWidth;
    private int _smallHeight;
    private int _blocksWide;
    private int _blocksHigh;
    private int _watchedPixels;
    private ushort[] _columnSums = [];
    private float[] _small = [];
    private float[] _background = [];
    private bool[] _watched = [];
    private bool[] _foreground = [];
    private int[] _blockCounts = [];
    private int[] _blockLabels = [];
    private int[] _stack = [];
    private long _startTimestamp;
    private long _frames;

    /// <param name="options">Thresholds and rates; read once.</param>
    /// <param name="roi">Motion outside is ignored; <see cref="RegionOfInterest.WholeFrame"/> for none.</param>
    /// <param name="time">The clock of the frames' <see cref="Frame.Timestamp"/>, for the warm-up.</param>
    /// <param name="logger">Where changes of light are logged; null for no log.</param>
    public MotionGate(MotionGateOptions options, RegionOfInterest roi, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(roi);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _roi = roi;
        _time = time;
        _logger = logger;
    }

    /// <summary>The moving areas of the last frame, in frame pixels (empty unless it was <see cref="MotionState.Moving"/>); valid until the next update.</summary>
    public IReadOnlyList<PixelRect> Regions => _regions;

    /// <summary>The rectangle holding every region of the last frame (empty when there is none).</summary>
    public PixelRect Bounds { get; private set; }

    /// <summary>Fraction of the watched small pixels that differed from the background in the last frame.</summary>
    public double ChangedFraction { get; private set; }

    /// <summary>The size of the small picture compared, once a frame has been seen.</summary>
    public (int Width, int Height) SmallSize => (_smallWidth, _smallHeight);

    /// <summary>Compares a frame with the background and learns it.</summary>
    public MotionState Update(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Update(frame.Pixels, frame.Width, frame.Height, frame.Timestamp, frame.Sequence);
    }

    /// <summary>Compares a gray image with the background and learns it.</summary>
    /// <param name="gray">8-bit gray pixels, row-major, stride == <paramref name="width"/>.</param>
    /// <param name="width">Frame width.</param>
    /// <param name="height">Frame height.</param>
    /// <param name="timestamp">When it arrived, in the <see cref="TimeProvider"/>'s timestamp units.</param>
    /// <param name="sequence">The frame's number, for the log.</param>
    public MotionState Update(ReadOnlySpan<byte> gray, int width, int height, long timestamp, long sequence = 0)
    {
        if (width <= 0 || height <= 0 || gray.Length < (long)width * height)
        {
            throw new ArgumentException($"Cannot look for motion in a {width}x{height} image of {gray.Length} bytes.", nameof(gray));
        }

        _regions.Clear();
        Bounds = default;
        if (width != _width || height != _height)
        {
            Resize(width, height);
        }

        Downscale(gray);
        if (_frames++ == 0)
        {
            _startTimestamp = timestamp;
            _small.CopyTo(_background, 0);
            ChangedFraction = 0;
            return MotionState.WarmingUp;
        }

        ChangedFraction = (double)MarkForeground() / _watchedPixels;
        if (_time.GetElapsedTime(_startTimestamp, timestamp) < _options.Warmup)
        {
            // A cumulative mean at first, so the background settles in the warm-up whatever the learning rate.
            Learn((float)Math.Max(_options.LearningRate, 1.0 / _frames), selective: false);
            return MotionState.WarmingUp;
        }

        if (ChangedFraction > _options.LightingChangeFraction)
        {
            _small.CopyTo(_background, 0);
            if (_logger is not null)
            {
                Log.LightingChange(_logger, sequence, ChangedFraction * 100);
            }

            return MotionState.LightingChange;
        }

        Learn((float)_options.LearningRate, selective: true);
        FindRegions();
        return _regions.Count > 0 ? MotionState.Moving : MotionState.Still;
    }

    private void Resize(int width, int height)
    {
        _width = width;
        _height = height;
        _factor = Math.Max(1, Math.Min(width / _options.DownscaleWidth, height));
        _smallWidth = width / _factor;
        _smallHeight = height / _factor;

        var pixels = _smallWidth * _smallHeight;
        _blocksWide = (_smallWidth + BlockSize - 1) / BlockSize;
        _blocksHigh = (_smallHeight + BlockSize - 1) / BlockSize;
        _columnSums = new ushort[_smallWidth * _factor];
        _small = new float[pixels];
        _background = new float[pixels];
        _watched = new bool[pixels];
        _foreground = new bool[pixels];
        _blockCounts = new int[_blocksWide * _blocksHigh];
        _blockLabels = new int[_blocksWide * _blocksHigh];
        _stack = new int[_blocksWide * _blocksHigh];
        _frames = 0;

        // A small pixel is watched when its centre, in frame pixels, lies inside the region of interest.
        _watchedPixels = 0;
        for (var y = 0; y < _smallHeight; y++)
        {
            for (var x = 0; x < _smallWidth; x++)
            {
                var inside = _roi.Contains((x + 0.5) * _factor, (y + 0.5) * _factor, width, height);
                _watched[(y * _smallWidth) + x] = inside;
                _watchedPixels += inside ? 1 : 0;
            }
        }

        _watchedPixels = Math.Max(_watchedPixels, 1);
        if (_logger is not null)
        {
            Log.GateStarted(_logger, width, height, _smallWidth, _smallHeight, _options.Threshold, _options.LearningRate, _options.Warmup);
        }
    }

    /// <summary>Box filter by <c>_factor</c>: per small row, add the k frame rows column-wise (SIMD), then sum k columns.</summary>
    private void Downscale(ReadOnlySpan<byte> gray)
    {
        var k = _factor;
        var used = _smallWidth * k;
        var sums = _columnSums.AsSpan(0, used);
        var norm = 1f / (k * k);
        for (var sy = 0; sy < _smallHeight; sy++)
        {
            sums.Clear();
            for (var r = 0; r < k; r++)
            {
                AddRow(gray.Slice(((sy * k) + r) * _width, used), sums);
            }

            var small = _small.AsSpan(sy * _smallWidth, _smallWidth);
            for (var sx = 0; sx < small.Length; sx++)
            {
                var total = 0;
                foreach (var s in sums.Slice(sx * k, k))
                {
                    total += s;
                }

                small[sx] = total * norm;
            }
        }
    }

    /// <summary><paramref name="sums"/>[i] += <paramref name="row"/>[i]; k &lt;= 257 rows fit a ushort.</summary>
    private static void AddRow(ReadOnlySpan<byte> row, Span<ushort> sums)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref var source = ref MemoryMarshal.GetReference(row);
            ref var target = ref MemoryMarshal.GetReference(sums);
            for (; i <= row.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.LoadUnsafe(ref source, (nuint)i));
                (Vector128.LoadUnsafe(ref target, (nuint)i) + lower).StoreUnsafe(ref target, (nuint)i);
                (Vector128.LoadUnsafe(ref target, (nuint)(i + Vector128<ushort>.Count)) + upper).StoreUnsafe(ref target, (nuint)(i + Vector128<ushort>.Count));
            }
        }

        for (; i < row.Length; i++)
        {
            sums[i] += row[i];
        }
    }

    /// <summary>Counts the watched small pixels that differ from the background, per block; returns the total.</summary>
    private int MarkForeground()
    {
        Array.Clear(_blockCounts);
        var threshold = (float)_options.Threshold;
        var changed = 0;
        for (var y = 0; y < _smallHeight; y++)
        {
            var row = y * _smallWidth;
            var blockRow = y / BlockSize * _blocksWide;
            for (var x = 0; x < _smallWidth; x++)
            {
                var moving = _watched[row + x] && MathF.Abs(_small[row + x] - _background[row + x]) > threshold;
                _foreground[row + x] = moving;
                if (moving)
                {
                    _blockCounts[blockRow + (x / BlockSize)]++;
                    changed++;
                }
            }
        }

        return changed;
    }

    private void Learn(float rate, bool selective)
    {
        var slow = selective ? rate / ForegroundSlowdown : rate;
        var small = _small.AsSpan();
        var background = _background.AsSpan();
        var foreground = _foreground.AsSpan(0, background.Length);
        for (var i = 0; i < background.Length; i++)
        {
            background[i] += (foreground[i] ? slow : rate) * (small[i] - background[i]);
        }
    }

    /// <summary>8-connected active blocks → padded frame rectangles, merged where they overlap.</summary>
    private void FindRegions()
    {
        var active = BlockSize * BlockSize / 4;
        var minPixels = _options.MinAreaFraction * _smallWidth * _smallHeight;
        Array.Clear(_blockLabels);
        var label = 0;
        for (var start = 0; start < _blockCounts.Length; start++)
        {
            if (_blockCounts[start] < active || _blockLabels[start] != 0)
            {
                continue;
            }

            label++;
            var (left, top, right, bottom, pixels) = Flood(start, label, active);
            if (pixels < minPixels || pixels == 0)
            {
                continue;
            }

            // Padded by a block each side, in frame pixels.
            var scale = BlockSize * _factor;
            var rect = new PixelRect((left - 1) * scale, (top - 1) * scale, (right - left + 3) * scale, (bottom - top + 3) * scale)
                .ClipTo(_width, _height);
            Add(rect);
        }

        foreach (var region in _regions)
        {
            Bounds = Bounds.IsEmpty ? region : Union(Bounds, region);
        }
    }

    private (int Left, int Top, int Right, int Bottom, int Pixels) Flood(int start, int label, int active)
    {
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1, pixels = 0, depth = 0;
        _stack[depth++] = start;
        _blockLabels[start] = label;
        while (depth > 0)
        {
            var block = _stack[--depth];
            var bx = block % _blocksWide;
            var by = block / _blocksWide;
            (left, top, right, bottom) = (Math.Min(left, bx), Math.Min(top, by), Math.Max(right, bx), Math.Max(bottom, by));
            pixels += _blockCounts[block];
            for (var ny = Math.Max(by - 1, 0); ny <= Math.Min(by + 1, _blocksHigh - 1); ny++)
            {
                for (var nx = Math.Max(bx - 1, 0); nx <= Math.Min(bx + 1, _blocksWide - 1); nx++)
                {
                    var next = (ny * _blocksWide) + nx;
                    if (_blockCounts[next] >= active && _blockLabels[next] == 0)
                    {
                        _blockLabels[next] = label;
                        _stack[depth++] = next;
                    }
                }
            }
        }

        return (left, top, right, bottom, pixels);
    }

    /// <summary>Adds a region, merging it with every region it overlaps (repeatedly, as a merge can reach further ones).</summary>
    private void Add(PixelRect rect)
    {
        for (var i = 0; i < _regions.Count; i++)
        {
            if (Overlap(_regions[i], rect))
            {
                rect = Union(_regions[i], rect);
                _regions.RemoveAt(i);
                i = -1;
            }
        }

        _regions.Add(rect);
    }

    private static bool Overlap(PixelRect a, PixelRect b) =>
        a.X < b.Right && b.X < a.Right && a.Y < b.Bottom && b.Y < a.Bottom;

    private static PixelRect Union(PixelRect a, PixelRect b)
    {
        var x = Math.Min(a.X, b.X);
        var y = Math.Min(a.Y, b.Y);
        return new PixelRect(x, y, Math.Max(a.Right, b.Right) - x, Math.Max(a.Bottom, b.Bottom) - y);
    }
}
