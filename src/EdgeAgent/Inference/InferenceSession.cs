using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// The seam between the pipeline and whatever runs its models: one loaded model, run with named float32 tensors. The
/// product runs ONNX Runtime through the Microsoft.ML.OnnxRuntime package (<see cref="FromFile"/>,
/// <see cref="FromBytes"/>); tests and tools see only this class.
/// </summary>
/// <remarks>
/// <see cref="Run(ReadOnlySpan{InferenceInput}, ReadOnlySpan{InferenceOutput})"/> may be called from several threads
/// at once on one session, each with its own <see cref="InferenceOutput"/> objects. The caller owns the session and
/// disposes it once no run is in progress; disposing twice is harmless, and a run after disposal throws
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
public abstract class InferenceSession : IDisposable
{
    /// <summary>
    /// Loads a model file. Throws <see cref="InferenceException"/> when the file does not exist or ONNX Runtime is not
    /// installed, and <see cref="OnnxRuntimeException"/> (with ONNX Runtime's message) when the file is not a model it can load.
    /// </summary>
    /// <param name="modelPath">The .onnx file; relative paths are taken from the current directory.</param>
    /// <param name="options">Threading and optimisation; null for the defaults of <see cref="InferenceOptions"/>.</param>
    /// <param name="logger">Where to log the loaded model's inputs and outputs; null for no log.</param>
    public static InferenceSession FromFile(string modelPath, InferenceOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath))
        {
            throw new InferenceException(Directory.Exists(fullPath)
                ? $"Model file '{fullPath}' is a directory, not an .onnx file."
                : $"Model file '{fullPath}' does not exist.");
        }

        return Opened(OnnxRuntimeSession.Open(fullPath, options ?? new InferenceOptions()), options, logger);
    }

    /// <summary>Loads a model from its bytes, which are not kept. Throws as <see cref="FromFile"/> does.</summary>
    /// <param name="model">The serialised ONNX model.</param>
    /// <param name="modelName">How messages name the model, e.g. the resource it came from.</param>
    /// <param name="options">Threading and optimisation; null for the defaults of <see cref="InferenceOptions"/>.</param>
    /// <param name="logger">Where to log the loaded model's inputs and outputs; null for no log.</param>
    public static InferenceSession FromBytes(ReadOnlySpan<byte> model, string modelName, InferenceOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        if (model.IsEmpty)
        {
            throw new InferenceException($"Model '{modelName}' is empty (0 bytes).");
        }

        return Opened(OnnxRuntimeSession.Load(model, modelName, options ?? new InferenceOptions()), options, logger);
    }

    /// <summary>The model's full file path, or the name given to <see cref="FromBytes"/>; every message names it.</summary>
    public abstract string ModelName { get; }

    /// <summary>The model's inputs, in the model's order.</summary>
    public abstract IReadOnlyList<TensorInfo> Inputs { get; }

    /// <summary>The model's outputs, in the model's order.</summary>
    public abstract IReadOnlyList<TensorInfo> Outputs { get; }

    /// <summary>
    /// Runs the model once. Every model input must be given; any subset of its outputs may be asked for, and each is
    /// copied into its <see cref="InferenceOutput"/>. In steady state (outputs no larger than before) a run allocates no
    /// managed memory. Throws <see cref="InferenceException"/> naming the model and tensor for an unknown name, a shape
    /// the model does not accept, or data whose length is not the shape's element count, and
    /// <see cref="OnnxRuntimeException"/> for an error inside ONNX Runtime.
    /// </summary>
    public abstract void Run(ReadOnlySpan<InferenceInput> inputs, ReadOnlySpan<InferenceOutput> outputs);

    /// <summary>Runs a model with one input, asking for one output.</summary>
    public void Run(in InferenceInput input, InferenceOutput output) =>
        Run(new ReadOnlySpan<InferenceInput>(in input), new ReadOnlySpan<InferenceOutput>(in output));

    /// <summary>
    /// Checks at start-up that the model takes float32 input <paramref name="name"/> in the shape this program will
    /// feed, and returns it. <paramref name="dimensions"/> gives each dimension the program feeds, or -1 for any; a
    /// dimension the model leaves dynamic accepts any size. Throws <see cref="InferenceException"/> naming the model
    /// file, the input, and the expected and actual shapes.
    /// </summary>
    /// <example><c>session.RequireInput("image", 1, 1, 32, 128)</c> accepts a model declaring <c>[-1, 1, 32, 128]</c> or <c>[1, 1, 32, 128]</c>.</example>
    public TensorInfo RequireInput(string name, params ReadOnlySpan<long> dimensions) =>
        Require(Inputs, "input", name, dimensions);

    /// <summary>As <see cref="RequireInput"/>, for an output the program reads.</summary>
    public TensorInfo RequireOutput(string name, params ReadOnlySpan<long> dimensions) =>
        Require(Outputs, "output", name, dimensions);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    private TensorInfo Require(IReadOnlyList<TensorInfo> tensors, string kind, string name, ReadOnlySpan<long> dimensions)
    {
        var tensor = tensors.FirstOrDefault(t => t.Name == name)
            ?? throw new InferenceException($"Model '{ModelName}' has no {kind} '{name}'; its {kind}s are: {string.Join("; ", tensors)}.");

        if (tensor.ElementType != TensorElementType.Float32)
        {
            throw new InferenceException(
                $"Model '{ModelName}' {kind} '{name}' is {TensorInfo.FormatType(tensor.ElementType)}, but this program uses float32.");
        }

        if (!Accepts(tensor.Dimensions, dimensions))
        {
            throw new InferenceException(
                $"Model '{ModelName}' {kind} '{name}' has shape {TensorInfo.FormatShape(tensor.Dimensions)}, but this program expects {TensorInfo.FormatShape(dimensions)} (-1: any size); is it the right model?");
        }

        return tensor;
    }

    private static bool Accepts(IReadOnlyList<long> declared, ReadOnlySpan<long> expected)
    {
        if (declared.Count != expected.Length)
        {
            return false;
        }

        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] >= 0 && declared[i] >= 0 && declared[i] != expected[i])
            {
                return false;
            }
        }

        return true;
    }

    private static OnnxRuntimeSession Opened(OnnxRuntimeSession session, InferenceOptions? options, ILogger? logger)
    {
        if (logger is not null)
        {
            options ??= new InferenceOptions();
            Log.SessionOpened(
                logger,
                session.ModelName,
                new TensorList(session.Inputs),
                new TensorList(session.Outputs),
                OnnxRuntimeLibrary.Version,
                OnnxRuntimeLibrary.LibraryPath,
                options.IntraOpThreads,
                options.AllowSpinning,
                options.GraphOptimization);
        }

        return session;
    }
}
