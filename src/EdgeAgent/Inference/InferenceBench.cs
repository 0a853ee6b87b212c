using System.Diagnostics;

namespace EdgeAnpr.Agent.Inference;

/// <summary>Run time of one model, as the median and 90th percentile of single runs in milliseconds, and the managed bytes a timed run allocated on average.</summary>
internal readonly record struct InferenceTiming(double MedianMs, double P90Ms, double MinMs, int Runs, double BytesPerRun);

/// <summary>
/// Latency of a model, for the Bench program (benchmarks print numbers; no test asserts a timing). Runs happen on the
/// calling thread, one at a time, as the pipeline runs them.
/// </summary>
internal static class InferenceBench
{
    /// <summary>Median milliseconds per run of <paramref name="session"/> on zero-filled inputs shaped as the model declares (see <see cref="Measure(InferenceSession, int, int)"/>).</summary>
    public static double MedianMs(InferenceSession session, int iterations = 100, int warmup = 10) =>
        Measure(session, iterations, warmup).MedianMs;

    /// <summary>
    /// Times <paramref name="iterations"/> runs after <paramref name="warmup"/> untimed ones, with zero-filled inputs
    /// of the declared shapes (a dynamic dimension counts as 1) and every float32 output asked for.
    /// </summary>
    public static InferenceTiming Measure(InferenceSession session, int iterations = 100, int warmup = 10)
    {
        var inputs = session.Inputs.Select(ZeroInput).ToArray();
        var outputs = session.Outputs.Where(o => o.ElementType == TensorElementType.Float32).Select(o => new InferenceOutput(o.Name)).ToArray();
        try
        {
            return Measure(session, inputs, outputs, iterations, warmup);
        }
        finally
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }
        }
    }

    /// <summary>Times <paramref name="iterations"/> runs with the caller's tensors after <paramref name="warmup"/> untimed ones.</summary>
    public static InferenceTiming Measure(InferenceSession session, ReadOnlySpan<InferenceInput> inputs, ReadOnlySpan<InferenceOutput> outputs, int iterations = 100, int warmup = 10)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        for (var i = 0; i < warmup; i++)
        {
            session.Run(inputs, outputs);
        }

        var times = new double[iterations];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            session.Run(inputs, outputs);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Array.Sort(times);
        return new InferenceTiming(times[iterations / 2], times[Math.Min(iterations - 1, iterations * 9 / 10)], times[0], iterations, (double)allocated / iterations);
    }

    private static InferenceInput ZeroInput(TensorInfo input)
    {
        if (input.ElementType != TensorElementType.Float32)
        {
            throw new InferenceException($"Input '{input.Name}' is {TensorInfo.FormatType(input.ElementType)}; the benchmark feeds float32 only.");
        }

        var shape = input.Dimensions.Select(d => d < 0 ? 1 : d).ToArray();
        var elements = shape.Aggregate(1L, (product, d) => product * d);
        return new InferenceInput(input.Name, new float[elements], shape);
    }
}
