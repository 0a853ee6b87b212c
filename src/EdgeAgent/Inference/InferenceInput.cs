namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// A float32 input for <see cref="InferenceSession.Run(ReadOnlySpan{InferenceInput}, ReadOnlySpan{InferenceOutput})"/>:
/// the caller's data (typically a pooled array filled for this frame) and its shape, whose product must equal
/// <c>Data.Length</c>. The session pins the data only for the length of the run, hands ONNX Runtime a tensor over it
/// without copying, and never keeps it; the caller owns both buffers and may reuse them as soon as Run returns.
/// </summary>
/// <param name="Name">The model input's name (see <see cref="InferenceSession.Inputs"/>).</param>
/// <param name="Data">The elements in row-major order.</param>
/// <param name="Shape">The dimensions; every one known (no -1).</param>
public readonly record struct InferenceInput(string Name, ReadOnlyMemory<float> Data, ReadOnlyMemory<long> Shape);
