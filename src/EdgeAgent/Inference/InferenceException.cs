namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// A model that cannot be loaded or run, or an ONNX Runtime that cannot be used; the message is one line naming the
/// model file (or library path) and the problem. ONNX Runtime's own errors arrive as <see cref="OnnxRuntimeException"/>.
/// </summary>
public class InferenceException : Exception
{
    public InferenceException(string message)
        : base(message)
    {
    }

    public InferenceException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public InferenceException()
    {
    }
}

/// <summary>An error ONNX Runtime reported, with its error code and its own message.</summary>
public sealed class OnnxRuntimeException : InferenceException
{
    public OnnxRuntimeException(OrtErrorCode errorCode, string ortMessage, string message, Exception inner)
        : base(message, inner)
    {
        ErrorCode = errorCode;
        OrtMessage = ortMessage;
    }

    public OnnxRuntimeException(string message)
        : base(message)
    {
    }

    public OnnxRuntimeException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public OnnxRuntimeException()
    {
    }

    /// <summary>ONNX Runtime's code for the error.</summary>
    public OrtErrorCode ErrorCode { get; } = OrtErrorCode.Fail;

    /// <summary>ONNX Runtime's message, as it gave it.</summary>
    public string OrtMessage { get; } = "";
}

/// <summary>
/// ONNX Runtime's error codes (<c>OrtErrorCode</c> in onnxruntime_c_api.h). The package keeps its own enum internal and
/// names the code only in its message ("[ErrorCode:InvalidProtobuf] ..."), from which this is read.
/// </summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    EpFail = 11,
    ModelLoadCanceled = 12,
    ModelRequiresCompilation = 13,
    NotFound = 14,
}
