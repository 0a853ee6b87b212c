using EdgeAnpr.Agent.Inference;
using static EdgeAnpr.Agent.Tests.Inference.OnnxRuntimeTestEnvironment;

namespace EdgeAnpr.Agent.Tests.Inference;

/// <summary>Each fixture model run through the real ONNX Runtime, its outputs checked against values computed here.</summary>
public sealed class InferenceSessionTests
{
    public InferenceSessionTests() => RequireOnnxRuntime();

    [Fact]
    public void Describes_inputs_and_outputs_with_dynamic_dimensions_as_minus_one()
    {
        using var session = Open("two_outputs.onnx");

        Assert.Equal(Model("two_outputs.onnx"), session.ModelName);
        var input = Assert.Single(session.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(TensorElementType.Float32, input.ElementType);
        Assert.Equal([-1L, 3], input.Dimensions);
        Assert.Equal(["scaled", "total"], session.Outputs.Select(o => o.Name));
        Assert.Equal([-1L, 1], session.Outputs[1].Dimensions);
        Assert.Equal("x float32 [-1, 3]", input.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Add_mul_computes_x_times_two_plus_one_for_any_batch(int batch)
    {
        using var session = Open("add_mul.onnx");
        using var y = new InferenceOutput("y");
        var x = RandomValues(batch * 4, seed: batch);

        session.Run(new InferenceInput("x", x, new long[] { batch, 4 }), y);

        Assert.Equal([batch, 4L], y.Shape.ToArray());
        Assert.Equal(x.Select(v => (v * 2) + 1), y.Span.ToArray(), new ToleranceComparer(1e-6f));
    }

    [Fact]
    public void Conv_matches_a_direct_convolution_on_a_plate_sized_image()
    {
        using var session = Open("conv.onnx");
        using var features = new InferenceOutput("features");
        const int Batch = 2, H = 32, W = 128;
        var image = RandomValues(Batch * H * W, seed: 7);

        session.Run(new InferenceInput("image", image, new long[] { Batch, 1, H, W }), features);

        Assert.Equal([Batch, 2L, H, W], features.Shape.ToArray());
        Assert.Equal(ReferenceConv(image, Batch, H, W), features.Span.ToArray(), new ToleranceComparer(1e-4f));
    }

    [Fact]
    public void Two_outputs_are_both_returned_or_either_alone()
    {
        using var session = Open("two_outputs.onnx");
        using var scaled = new InferenceOutput("scaled");
        using var total = new InferenceOutput("total");
        float[] x = [1, 2, 3, -4, 5, 0.5f];
        var input = new InferenceInput("x", x, new long[] { 2, 3 });

        session.Run([input], [total, scaled]);

        Assert.Equal([3f, 6, 9, -12, 15, 1.5f], scaled.Span.ToArray());
        Assert.Equal([2L, 3], scaled.Shape.ToArray());
        Assert.Equal([6f, 1.5f], total.Span.ToArray());
        Assert.Equal([2L, 1], total.Shape.ToArray());

        using var onlyTotal = new InferenceOutput("total");
        session.Run(input, onlyTotal);
        Assert.Equal([6f, 1.5f], onlyTotal.Span.ToArray());
    }

    [Fact]
    public void A_model_from_bytes_runs_like_the_file()
    {
        RequireOnnxRuntime();
        using var session = InferenceSession.FromBytes(File.ReadAllBytes(Model("add_mul.onnx")), "add_mul (embedded)");
        using var y = new InferenceOutput("y");

        session.Run(new InferenceInput("x", new float[] { 0, 1, 2, 3 }, new long[] { 1, 4 }), y);

        Assert.Equal("add_mul (embedded)", session.ModelName);
        Assert.Equal([1f, 3, 5, 7], y.Span.ToArray());
    }

    [Fact]
    public void An_output_is_reused_across_runs_of_different_sizes()
    {
        using var session = Open("add_mul.onnx");
        using var y = new InferenceOutput("y", capacity: 4);

        session.Run(new InferenceInput("x", new float[12], new long[] { 3, 4 }), y);
        Assert.Equal(12, y.Length);
        session.Run(new InferenceInput("x", new float[] { 1, 1, 1, 1 }, new long[] { 1, 4 }), y);

        Assert.Equal(4, y.Length);
        Assert.Equal([1L, 4], y.Shape.ToArray());
        Assert.Equal([3f, 3, 3, 3], y.Span.ToArray());
    }

    [Fact]
    public void Steady_state_runs_allocate_no_managed_memory()
    {
        using var session = Open("conv.onnx");
        using var features = new InferenceOutput("features");
        var image = new float[32 * 128];
        var shape = new long[] { 1, 1, 32, 128 };
        var input = new InferenceInput("image", image, shape);
        for (var i = 0; i < 20; i++)
        {
            session.Run(input, features);
        }

        // Many runs, so a one-time runtime event (tiering) cannot fail the test but any allocation per run
        // (24 bytes at least) would: 500 runs x 24 B > the 8 KB allowed.
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 500; i++)
        {
            session.Run(input, features);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8 * 1024, $"{allocated} bytes allocated over 500 runs");
    }

    [Fact]
    public void Runs_that_alternate_between_batch_sizes_allocate_no_managed_memory_once_each_size_was_seen()
    {
        // The reader's pattern: one plate in most frames, two in some. Each shape keeps its own binding.
        using var session = Open("add_mul.onnx");
        using var y = new InferenceOutput("y", capacity: 8);
        var one = new InferenceInput("x", new float[] { 1, 2, 3, 4 }, new long[] { 1, 4 });
        var two = new InferenceInput("x", new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, new long[] { 2, 4 });
        for (var i = 0; i < 20; i++)
        {
            session.Run(one, y);
            session.Run(two, y);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 250; i++)
        {
            session.Run(one, y);
            session.Run(two, y);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8 * 1024, $"{allocated} bytes allocated over 500 runs");
        Assert.Equal([3f, 5, 7, 9, 11, 13, 15, 17], y.Span.ToArray());
        session.Run(one, y);
        Assert.Equal([3f, 5, 7, 9], y.Span.ToArray());
    }

    [Fact]
    public void Concurrent_runs_on_one_session_each_get_their_own_results()
    {
        using var session = Open("conv.onnx", new InferenceOptions { IntraOpThreads = 1 });
        const int Threads = 4, RunsPerThread = 40;
        var failures = 0;

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var image = RandomValues(32 * 128, seed: 100 + t);
            var expected = ReferenceConv(image, 1, 32, 128);
            using var features = new InferenceOutput("features");
            var input = new InferenceInput("image", image, new long[] { 1, 1, 32, 128 });
            for (var r = 0; r < RunsPerThread; r++)
            {
                session.Run(input, features);
                if (!features.Span.SequenceEqual(expected, new ToleranceComparer(1e-4f)))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
    }

    [Theory]
    [InlineData(1, 1, false, GraphOptimization.All, true)]
    [InlineData(2, 1, true, GraphOptimization.All, true)]
    [InlineData(2, 2, false, GraphOptimization.Extended, false)]
    [InlineData(0, 0, true, GraphOptimization.Basic, true)]
    [InlineData(1, 1, false, GraphOptimization.Disabled, false)]
    public void Thread_spinning_optimisation_and_arena_options_are_accepted(int intra, int inter, bool spin, GraphOptimization level, bool arena)
    {
        var options = new InferenceOptions { IntraOpThreads = intra, InterOpThreads = inter, AllowSpinning = spin, GraphOptimization = level, UseMemoryArena = arena };
        using var session = Open("conv.onnx", options);
        using var features = new InferenceOutput("features");
        var image = RandomValues(32 * 128, seed: 3);

        session.Run(new InferenceInput("image", image, new long[] { 1, 1, 32, 128 }), features);

        Assert.Equal(ReferenceConv(image, 1, 32, 128), features.Span.ToArray(), new ToleranceComparer(1e-4f));
    }

    [Fact]
    public void RequireInput_accepts_a_dynamic_batch_for_the_size_fed()
    {
        using var session = Open("conv.onnx");

        var input = session.RequireInput("image", 1, 1, 32, 128);
        session.RequireInput("image", -1, 1, 32, 128);
        session.RequireOutput("features", 1, 2, 32, 128);

        Assert.Equal("image", input.Name);
    }

    [Fact]
    public void The_runtime_is_the_packages_version_1_32()
    {
        RequireOnnxRuntime();

        Assert.StartsWith("1.32.", OnnxRuntimeLibrary.Version, StringComparison.Ordinal);
        Assert.Equal(OnnxRuntimeLibrary.FileName, Path.GetFileName(OnnxRuntimeLibrary.LibraryPath));
    }

    [Fact]
    public void The_benchmark_helper_times_runs_on_declared_shapes()
    {
        using var session = Open("conv.onnx");

        var timing = InferenceBench.Measure(session, iterations: 5, warmup: 1);

        Assert.Equal(5, timing.Runs);
        Assert.True(timing.MinMs > 0 && timing.MinMs <= timing.MedianMs && timing.MedianMs <= timing.P90Ms);
    }

    /// <summary>conv.onnx computed directly: 3x3 kernel, zero padding 1, weights (c + 1) * 0.1 * (3i + j - 4), bias [0.5, -0.25], then Relu.</summary>
    internal static float[] ReferenceConv(float[] image, int batch, int h, int w)
    {
        float[] bias = [0.5f, -0.25f];
        var output = new float[batch * 2 * h * w];
        for (var n = 0; n < batch; n++)
        {
            for (var c = 0; c < 2; c++)
            {
                for (var y = 0; y < h; y++)
                {
                    for (var x = 0; x < w; x++)
                    {
                        double sum = bias[c];
                        for (var i = 0; i < 3; i++)
                        {
                            for (var j = 0; j < 3; j++)
                            {
                                int yy = y + i - 1, xx = x + j - 1;
                                if (yy >= 0 && yy < h && xx >= 0 && xx < w)
                                {
                                    sum += (c + 1) * 0.1 * ((3 * i) + j - 4) * image[(n * h * w) + (yy * w) + xx];
                                }
                            }
                        }

                        output[(((n * 2) + c) * h * w) + (y * w) + x] = (float)Math.Max(0, sum);
                    }
                }
            }
        }

        return output;
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
