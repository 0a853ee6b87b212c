using System.Buffers;

namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// A reusable destination for one float32 model output. Run copies the output ONNX Runtime produced into this
/// object's buffer (rented from <see cref="ArrayPool{T}.Shared"/> and grown only when an output is larger than any
/// before it, so a steady stream of frames allocates nothing) and records its shape. The contents stay valid until the
/// next run that writes this object. One object must not be written by two runs at once; give each thread its own.
/// The caller owns it: <see cref="Dispose"/> returns the buffer to the pool.
/// </summary>
public sealed class InferenceOutput : IDisposable
{
    private float[] _buffer = [];
    private long[] _shape = new long[8];
    private int _rank;
    private int _length;

    /// <param name="name">The model output's name (see <see cref="InferenceSession.Outputs"/>).</param>
    /// <param name="capacity">Elements to rent up front, so even the first run does not allocate; 0 to rent on first use.</param>
    public InferenceOutput(string name, int capacity = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Name = name;
        if (capacity > 0)
        {
            _buffer = ArrayPool<float>.Shared.Rent(capacity);
        }
    }

    public string Name { get; }

    /// <summary>The output of the last run, row-major.</summary>
    public ReadOnlySpan<float> Span => _buffer.AsSpan(0, _length);

    /// <summary>The output of the last run, row-major.</summary>
    public ReadOnlyMemory<float> Memory => _buffer.AsMemory(0, _length);

    /// <summary>The shape of the last run's output.</summary>
    public ReadOnlySpan<long> Shape => _shape.AsSpan(0, _rank);

    /// <summary>The element count of the last run's output.</summary>
    public int Length => _length;

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        _rank = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Room for a result of <paramref name="rank"/> dimensions; the caller fills it.</summary>
    internal Span<long> PrepareShape(int rank)
    {
        if (rank > _shape.Length)
        {
            _shape = new long[rank];
        }

        _rank = rank;
        return _shape.AsSpan(0, rank);
    }

    /// <summary>Room for a result of <paramref name="length"/> elements, growing the rented buffer only when needed.</summary>
    internal Span<float> PrepareData(int length)
    {
        if (length > _buffer.Length)
        {
            var old = _buffer;
            _buffer = ArrayPool<float>.Shared.Rent(length);
            if (old.Length > 0)
            {
                ArrayPool<float>.Shared.Return(old);
            }
        }

        _length = length;
        return _buffer.AsSpan(0, length);
    }
}
