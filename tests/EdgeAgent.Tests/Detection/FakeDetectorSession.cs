using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Inference;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>
/// A stand-in for the detector model that returns the heatmap and box tensors a test wrote, and keeps the input it was
/// given, so the letterbox and the mapping back to the frame can be checked exactly without a trained model.
/// </summary>
internal sealed class FakeDetectorSession : InferenceSession
{
    private readonly long[] _inputShape;
    private readonly long[] _heatmapShape;
    private readonly long[] _boxShape;

    public FakeDetectorSession(DetectorContract contract)
    {
        Contract = contract;
        _inputShape = [1, 1, contract.InputHeight, contract.InputWidth];
        _heatmapShape = [1, 1, contract.GridHeight, contract.GridWidth];
        _boxShape = [1, 4, contract.GridHeight, contract.GridWidth];
        Heatmap = new float[contract.GridHeight * contract.GridWidth];
        Box = new float[4 * Heatmap.Length];
        LastInput = new float[contract.InputWidth * contract.InputHeight];
        Inputs = [new TensorInfo(contract.InputName, TensorElementType.Float32, [1, 1, contract.InputHeight, contract.InputWidth])];
        Outputs =
        [
            new TensorInfo(contract.HeatmapName, TensorElementType.Float32, [1, 1, contract.GridHeight, contract.GridWidth]),
            new TensorInfo(contract.BoxName, TensorElementType.Float32, [1, 4, contract.GridHeight, contract.GridWidth]),
        ];
    }

    /// <summary>The contract of the committed model's sidecar, read as the detector reads it.</summary>
    public static DetectorContract CommittedContract => DetectorContract.Load(SceneData.DetectorModelPath);

    public DetectorContract Contract { get; }

    public override string ModelName => "fake-detector.onnx";

    public override IReadOnlyList<TensorInfo> Inputs { get; }

    public override IReadOnlyList<TensorInfo> Outputs { get; }

    public float[] Heatmap { get; }

    public float[] Box { get; }

    public float[] LastInput { get; }

    public int Runs { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>A plate with the given edges, in input pixels, written at the heatmap cell that holds its centre.</summary>
    public void AddPlate(float score, double x1, double y1, double x2, double y2)
    {
        var stride = Contract.Stride;
        var column = (int)Math.Floor((x1 + x2) / 2 / stride);
        var row = (int)Math.Floor((y1 + y2) / 2 / stride);
        var cell = (row * Contract.GridWidth) + column;
        var cx = (column + 0.5) * stride;
        var cy = (row + 0.5) * stride;
        Heatmap[cell] = score;
        Box[cell] = (float)(cx - x1);
        Box[Heatmap.Length + cell] = (float)(cy - y1);
        Box[(2 * Heatmap.Length) + cell] = (float)(x2 - cx);
        Box[(3 * Heatmap.Length) + cell] = (float)(y2 - cy);
    }

    public override void Run(ReadOnlySpan<InferenceInput> inputs, ReadOnlySpan<InferenceOutput> outputs)
    {
        // Checked without allocating, so a test can count the detector's own allocations.
        Runs++;
        Assert.True(inputs.Length == 1 && inputs[0].Name == Contract.InputName && inputs[0].Shape.Span.SequenceEqual(_inputShape), "unexpected input");
        inputs[0].Data.Span.CopyTo(LastInput);
        foreach (var output in outputs)
        {
            var (data, shape) = output.Name == Contract.HeatmapName ? (Heatmap, _heatmapShape) : (Box, _boxShape);
            shape.CopyTo(output.PrepareShape(shape.Length));
            data.CopyTo(output.PrepareData(data.Length));
        }
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
