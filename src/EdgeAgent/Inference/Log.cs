using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Inference;

/// <summary>Log messages of the inference binding (event ids 4000-4099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information,
        Message = "Loaded model {Model}: inputs {Inputs}; outputs {Outputs} (ONNX Runtime {Version} from {Library}, {IntraOpThreads} intra-op thread(s), spinning {AllowSpinning}, optimisation {Optimization})")]
    public static partial void SessionOpened(
        ILogger logger, string model, TensorList inputs, TensorList outputs, string version, string library, int intraOpThreads, bool allowSpinning, GraphOptimization optimization);
}

/// <summary>Tensors formatted for a log line only when the line is written: <c>image float32 [-1, 1, 32, 128]; ...</c>.</summary>
internal readonly record struct TensorList(IReadOnlyList<TensorInfo> Tensors)
{
    public override string ToString() => string.Join("; ", Tensors);
}
