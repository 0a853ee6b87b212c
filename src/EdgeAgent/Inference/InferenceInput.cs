namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// A float32 input for <see cref="InferenceSession.Run(ReadOnlySpan{InferenceInput}, ReadOnlySpan{InferenceOutput})"/>:
/// the caller's data (typically a pooled array filled for this frame) and its shape, whose product must equal
/// <c>Data.Length</c>. The session copies the data into a pinned tensor of its own that ONNX Runtime is bound to (a
/// memory copy, small beside the model: about 1 MB for the detector's 640x384 input) and never keeps the caller's
/// buffers; the caller owns them and may reuse them as soon as Run returns.
/// </summary>
/// <param name="Name">The model input's name (see <see cref="InferenceSession.Inputs"/>).</param>
/// <param name="Data">The elements in row-major order.</param>
/// <param name="Shape">The dimensions; every one known (no -1).</param>
public readonly record struct InferenceInput(string Name, ReadOnlyMemory<float> Data, ReadOnlyMemory<long> Shape);
