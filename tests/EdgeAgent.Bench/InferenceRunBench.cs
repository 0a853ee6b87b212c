using EdgeAnpr.Agent.Inference;

namespace EdgeAnpr.Bench;

/// <summary>
/// The inference session alone: one <see cref="InferenceSession.Run(ReadOnlySpan{InferenceInput}, ReadOnlySpan{InferenceOutput})"/>
/// of each committed model on zero-filled inputs of its declared shape (batch 1), one intra-op thread, with the managed
/// bytes each run allocates (the pipeline's steady state expects 0). Benchmarks print numbers; nothing here is asserted.
/// </summary>
internal static class InferenceRunBench
{
    private const int Runs = 500;
    private const int Warmup = 50;

    public static int Run()
    {
        var models = Path.Combine(AppContext.BaseDirectory, "models");
        Console.WriteLine($"inference: session.Run alone, 1 intra-op thread, {Environment.ProcessorCount} CPUs, {ResourceUsage.LoadAverage()}");
        Console.WriteLine($"{"model",-52} {"runs",6} {"p50 ms",8} {"p90 ms",8} {"min ms",8} {"B/run",8}");
        foreach (var file in (ReadOnlySpan<string>)["plate-detector.onnx", "plate-reader-latin.onnx", "plate-reader-ir.onnx"])
        {
            using var session = InferenceSession.FromFile(Path.Combine(models, file), new InferenceOptions { IntraOpThreads = 1 });
            var timing = InferenceBench.Measure(session, Runs, Warmup);
            Console.WriteLine($"{file,-52} {timing.Runs,6} {timing.MedianMs,8:0.000} {timing.P90Ms,8:0.000} {timing.MinMs,8:0.000} {timing.BytesPerRun,8:0.0}");
        }

        return 0;
    }
}
