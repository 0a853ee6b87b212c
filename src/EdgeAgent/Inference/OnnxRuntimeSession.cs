using System.Runtime.CompilerServices;
using Ort = Microsoft.ML.OnnxRuntime;

namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// An <see cref="InferenceSession"/> over Microsoft.ML.OnnxRuntime, which it owns. Each run borrows a
/// <see cref="RunBinding"/> made for its input shapes and outputs (an I/O binding over pinned arrays, kept after the
/// run for the next one of that shape), so runs on several threads never share one, and a steady stream of runs
/// allocates no managed memory. ONNX Runtime allows concurrent runs on one session.
/// </summary>
internal sealed class OnnxRuntimeSession : InferenceSession
{
    /// <summary>
    /// Idle bindings kept for reuse: enough for the reader's batch sizes on two or three threads. Beyond it the oldest
    /// is released, so a stream of ever new shapes cannot grow memory without bound.
    /// </summary>
    private const int MaxIdleBindings = 16;

    private readonly Ort.InferenceSession _session;
    private readonly TensorInfo[] _inputs;
    private readonly TensorInfo[] _outputs;
    private readonly List<RunBinding> _idle = new(MaxIdleBindings + 1);
    private readonly Lock _gate = new();
    private bool _disposed;

    private OnnxRuntimeSession(string modelName, Ort.InferenceSession session)
    {
        ModelName = modelName;
        _session = session;
        _inputs = Describe(session.InputNames, session.InputMetadata);
        _outputs = Describe(session.OutputNames, session.OutputMetadata);
    }

    public override string ModelName { get; }

    public override IReadOnlyList<TensorInfo> Inputs => _inputs;

    public override IReadOnlyList<TensorInfo> Outputs => _outputs;

    /// <summary>Loads the model file at <paramref name="fullPath"/>, which the caller has checked exists.</summary>
    public static OnnxRuntimeSession Open(string fullPath, InferenceOptions options) =>
        Load(fullPath, options, sessionOptions => new Ort.InferenceSession(fullPath, sessionOptions));

    /// <summary>Loads a model from bytes; ONNX Runtime parses them during the call and keeps no reference.</summary>
    public static OnnxRuntimeSession Load(ReadOnlySpan<byte> model, string modelName, InferenceOptions options)
    {
        var bytes = model.ToArray();
        return Load(modelName, options, sessionOptions => new Ort.InferenceSession(bytes, sessionOptions));
    }

    public override void Run(ReadOnlySpan<InferenceInput> inputs, ReadOnlySpan<InferenceOutput> outputs)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        if (inputs.Length != _inputs.Length)
        {
            throw new ArgumentException(
                $"Model '{ModelName}' has {_inputs.Length} input(s) ({string.Join("; ", _inputs.AsEnumerable())}), and each must be given once, but {inputs.Length} were given.");
        }

        if (outputs.Length == 0 || outputs.Length > _outputs.Length)
        {
            throw new ArgumentException(
                $"Model '{ModelName}' has {_outputs.Length} output(s) ({string.Join("; ", _outputs.AsEnumerable())}), but {outputs.Length} were asked for.");
        }

        var places = default(Places);
        var inputIndex = inputs.Length <= Places.Capacity ? ((Span<int>)places)[..inputs.Length] : new int[inputs.Length];
        var outputPlaces = default(Places);
        var outputIndex = outputs.Length <= Places.Capacity ? ((Span<int>)outputPlaces)[..outputs.Length] : new int[outputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputIndex[i] = IndexOf(_inputs, inputs[i].Name, "input", inputIndex[..i]);
            CheckInput(_inputs[inputIndex[i]], inputs[i]);
        }

        for (var o = 0; o < outputs.Length; o++)
        {
            outputIndex[o] = IndexOf(_outputs, outputs[o].Name, "output", outputIndex[..o]);
            CheckFloat(_outputs[outputIndex[o]], "output");
        }

        RunBinding? binding = null;
        try
        {
            binding = Borrow(inputs, inputIndex, outputIndex) ?? new RunBinding(_session, this, inputs, inputIndex, outputIndex);
            binding.Run(inputs, inputIndex, outputs, outputIndex);
        }
        catch (Ort.OnnxRuntimeException ex)
        {
            // A binding whose run failed is not trusted again.
            binding?.Dispose();
            binding = null;
            throw Translate(ex, "to run", ModelName);
        }
        finally
        {
            if (binding is not null)
            {
                GiveBack(binding);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                Volatile.Write(ref _disposed, true);
                foreach (var binding in _idle)
                {
                    binding.Dispose();
                }

                _idle.Clear();
            }

            _session.Dispose();
        }

        base.Dispose(disposing);
    }

    private static OnnxRuntimeSession Load(string modelName, InferenceOptions options, Func<Ort.SessionOptions, Ort.InferenceSession> create)
    {
        OnnxRuntimeLibrary.EnsureStarted();
        try
        {
            using var sessionOptions = CreateSessionOptions(options);
            var session = create(sessionOptions);
            try
            {
                return new OnnxRuntimeSession(modelName, session);
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        catch (Ort.OnnxRuntimeException ex)
        {
            throw Translate(ex, "to load", modelName);
        }
    }

    private static Ort.SessionOptions CreateSessionOptions(InferenceOptions options)
    {
        var sessionOptions = new Ort.SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            EnableCpuMemArena = options.UseMemoryArena,
            GraphOptimizationLevel = options.GraphOptimization switch
            {
                GraphOptimization.Disabled => Ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
                GraphOptimization.Basic => Ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                GraphOptimization.Extended => Ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => Ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };

        // Session config keys from onnxruntime_session_options_config_keys.h; "0" makes idle pool threads sleep.
        var spin = options.AllowSpinning ? "1" : "0";
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spin);
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", spin);
        return sessionOptions;
    }

    /// <summary>ONNX Runtime's error as one line naming the model: <c>ONNX Runtime failed to load model '...': ... (InvalidProtobuf)</c>.</summary>
    private static OnnxRuntimeException Translate(Ort.OnnxRuntimeException ex, string action, string model)
    {
        // The package's message is "[ErrorCode:Name] message"; its error code enum is internal.
        const string Prefix = "[ErrorCode:";
        var message = ex.Message;
        var code = OrtErrorCode.Fail;
        if (message.StartsWith(Prefix, StringComparison.Ordinal) && message.IndexOf("] ", StringComparison.Ordinal) is var end and > 0)
        {
            code = Enum.TryParse<OrtErrorCode>(message[Prefix.Length..end], out var parsed) ? parsed : OrtErrorCode.Fail;
            message = message[(end + 2)..];
        }

        return new OnnxRuntimeException(
            code, message, $"ONNX Runtime failed {action} model '{model}': {OnnxRuntimeLibrary.OneLine(message)} ({code})", ex);
    }

    private static TensorInfo[] Describe(IReadOnlyList<string> names, IReadOnlyDictionary<string, Ort.NodeMetadata> metadata) =>
        names.Select(name => metadata[name] is { IsTensor: true } tensor
                ? new TensorInfo(name, (TensorElementType)(int)tensor.ElementDataType, tensor.Dimensions.Select(d => (long)d).ToArray())
                : new TensorInfo(name, TensorElementType.Undefined, []))
            .ToArray();

    /// <summary>An idle binding made for these shapes and outputs, taken out of the pool; null when none is idle.</summary>
    private RunBinding? Borrow(ReadOnlySpan<InferenceInput> inputs, ReadOnlySpan<int> inputIndex, ReadOnlySpan<int> outputIndex)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var i = _idle.Count - 1; i >= 0; i--)
            {
                if (_idle[i].Fits(inputs, inputIndex, outputIndex))
                {
                    var binding = _idle[i];
                    _idle.RemoveAt(i);
                    return binding;
                }
            }

            return null;
        }
    }

    private void GiveBack(RunBinding binding)
    {
        RunBinding? released = binding;
        lock (_gate)
        {
            if (!_disposed)
            {
                released = _idle.Count == MaxIdleBindings ? _idle[0] : null;
                if (released is not null)
                {
                    _idle.RemoveAt(0);
                }

                _idle.Add(binding);
            }
        }

        released?.Dispose();
    }

    private int IndexOf(TensorInfo[] declared, string name, string kind, ReadOnlySpan<int> taken)
    {
        for (var i = 0; i < declared.Length; i++)
        {
            if (string.Equals(declared[i].Name, name, StringComparison.Ordinal))
            {
                return taken.Contains(i)
                    ? throw new ArgumentException($"Model '{ModelName}' {kind} '{name}' is given more than once.")
                    : i;
            }
        }

        throw new InferenceException($"Model '{ModelName}' has no {kind} '{name}'; its {kind}s are: {string.Join("; ", declared.AsEnumerable())}.");
    }

    private void CheckFloat(TensorInfo declared, string kind)
    {
        if (declared.ElementType != TensorElementType.Float32)
        {
            throw new InferenceException(
                $"Model '{ModelName}' {kind} '{declared.Name}' is {TensorInfo.FormatType(declared.ElementType)}; only float32 {kind}s are supported.");
        }
    }

    /// <summary>Checks the shape against the model's declaration and the data length against the shape, before ONNX Runtime sees them.</summary>
    private void CheckInput(TensorInfo declared, in InferenceInput input)
    {
        CheckFloat(declared, "input");
        var shape = input.Shape.Span;
        var fits = shape.Length == declared.Dimensions.Count;
        long elements = 1;
        for (var d = 0; d < shape.Length; d++)
        {
            fits &= shape[d] >= 0 && (d >= declared.Dimensions.Count || declared.Dimensions[d] < 0 || declared.Dimensions[d] == shape[d]);
            elements = shape[d] >= 0 ? elements * shape[d] : elements;
        }

        if (!fits)
        {
            throw new InferenceException(
                $"Model '{ModelName}' input '{declared.Name}' has shape {TensorInfo.FormatShape(declared.Dimensions)}, but the tensor given has shape {TensorInfo.FormatShape(shape)}.");
        }

        if (elements != input.Data.Length)
        {
            throw new InferenceException(
                $"Model '{ModelName}' input '{declared.Name}': shape {TensorInfo.FormatShape(shape)} needs {elements} elements, but the data given holds {input.Data.Length}.");
        }
    }

    /// <summary>Room on the stack for the places of a run's inputs or outputs (models here have one to three).</summary>
    [InlineArray(Capacity)]
    private struct Places
    {
        public const int Capacity = 8;

        private int _element;
    }
}
