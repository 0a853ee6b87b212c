using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// An <see cref="InferenceSession"/> over ONNX Runtime's C API. Owns its <see cref="OrtSessionHandle"/> (the
/// <c>OrtSession</c> and its name strings); the env, memory info and allocator belong to <see cref="OrtRuntime"/>.
/// A run makes input tensors directly over the caller's pinned buffers (no copy) and releases them before returning;
/// ONNX Runtime allocates each output (in its arena) and the run copies it into the caller's
/// <see cref="InferenceOutput"/> and releases it. Everything a run touches natively lives on its stack, so runs on
/// several threads do not share mutable state (ONNX Runtime allows concurrent Run calls on one session).
/// </summary>
internal sealed unsafe class OnnxRuntimeSession : InferenceSession
{
    private readonly OrtSessionHandle _handle;
    private readonly TensorInfo[] _inputs;
    private readonly TensorInfo[] _outputs;
    private readonly nint[] _inputNames;
    private readonly nint[] _outputNames;

    private OnnxRuntimeSession(OrtRuntime runtime, string modelName, nint session)
    {
        Runtime = runtime;
        ModelName = modelName;
        _handle = new OrtSessionHandle(runtime, session);
        try
        {
            (_inputs, _inputNames) = Describe(isInput: true);
            (_outputs, _outputNames) = Describe(isInput: false);
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public OrtRuntime Runtime { get; }

    public override string ModelName { get; }

    public override IReadOnlyList<TensorInfo> Inputs => _inputs;

    public override IReadOnlyList<TensorInfo> Outputs => _outputs;

    /// <summary>Loads the model file at <paramref name="fullPath"/>, which the caller has checked exists.</summary>
    public static OnnxRuntimeSession Open(string fullPath, InferenceOptions options)
    {
        var runtime = OrtRuntime.Shared;
        var path = Encoding.UTF8.GetBytes(fullPath + "\0");
        var sessionOptions = CreateSessionOptions(runtime, options, fullPath);
        nint session;
        try
        {
            fixed (byte* p = path)
            {
                runtime.Check(runtime.Api.CreateSession(runtime.Env, p, sessionOptions, &session), "to load", fullPath);
            }
        }
        finally
        {
            runtime.Api.ReleaseSessionOptions(sessionOptions);
        }

        return new OnnxRuntimeSession(runtime, fullPath, session);
    }

    /// <summary>Loads a model from bytes; ONNX Runtime parses them during the call and keeps no reference.</summary>
    public static OnnxRuntimeSession Load(ReadOnlySpan<byte> model, string modelName, InferenceOptions options)
    {
        var runtime = OrtRuntime.Shared;
        var sessionOptions = CreateSessionOptions(runtime, options, modelName);
        nint session;
        try
        {
            fixed (byte* p = model)
            {
                runtime.Check(runtime.Api.CreateSessionFromArray(runtime.Env, p, (nuint)model.Length, sessionOptions, &session), "to load", modelName);
            }
        }
        finally
        {
            runtime.Api.ReleaseSessionOptions(sessionOptions);
        }

        return new OnnxRuntimeSession(runtime, modelName, session);
    }

    public override void Run(ReadOnlySpan<InferenceInput> inputs, ReadOnlySpan<InferenceOutput> outputs)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        CheckCount(inputs.Length, _inputs, "input");
        CheckCount(outputs.Length, _outputs, "output");

        var api = Runtime.Api;
        var inputNames = stackalloc nint[inputs.Length];
        var inputValues = stackalloc nint[inputs.Length];
        var outputNames = stackalloc nint[outputs.Length];
        var outputValues = stackalloc nint[outputs.Length];
        new Span<nint>(inputValues, inputs.Length).Clear();
        new Span<nint>(outputValues, outputs.Length).Clear();
        var pinBuffer = default(PinBuffer);
        var pins = inputs.Length <= PinBuffer.Capacity ? ((Span<MemoryHandle>)pinBuffer)[..inputs.Length] : new MemoryHandle[inputs.Length];
        var referenced = false;
        try
        {
            _handle.DangerousAddRef(ref referenced);
            for (var i = 0; i < inputs.Length; i++)
            {
                ref readonly var input = ref inputs[i];
                var index = IndexOf(_inputs, input.Name, "input");
                CheckInput(_inputs[index], input);
                inputNames[i] = _inputNames[index];

                // The tensor does not copy the data: it stays pinned until the value is released in the finally below.
                pins[i] = input.Data.Pin();
                fixed (long* shape = input.Shape.Span)
                {
                    Runtime.Check(
                        api.CreateTensorWithDataAsOrtValue(
                            Runtime.CpuMemoryInfo, pins[i].Pointer, (nuint)input.Data.Length * sizeof(float), shape, (nuint)input.Shape.Length, OrtRuntime.ElementTypeFloat, &inputValues[i]),
                        "to make an input tensor for",
                        ModelName,
                        input.Name);
                }
            }

            for (var i = 0; i < outputs.Length; i++)
            {
                var index = IndexOf(_outputs, outputs[i].Name, "output");
                CheckFloat(_outputs[index], "output");
                outputNames[i] = _outputNames[index];
            }

            Runtime.Check(
                api.Run(_handle.DangerousGetHandle(), 0, inputNames, inputValues, (nuint)inputs.Length, outputNames, (nuint)outputs.Length, outputValues),
                "to run",
                ModelName);

            for (var i = 0; i < outputs.Length; i++)
            {
                CopyOut(outputValues[i], outputs[i]);
            }
        }
        finally
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                if (inputValues[i] != 0)
                {
                    api.ReleaseValue(inputValues[i]);
                }

                pins[i].Dispose();
            }

            for (var i = 0; i < outputs.Length; i++)
            {
                if (outputValues[i] != 0)
                {
                    api.ReleaseValue(outputValues[i]);
                }
            }

            if (referenced)
            {
                _handle.DangerousRelease();
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle.Dispose();
        }

        base.Dispose(disposing);
    }

    private static nint CreateSessionOptions(OrtRuntime runtime, InferenceOptions options, string model)
    {
        var api = runtime.Api;
        nint sessionOptions;
        runtime.Check(api.CreateSessionOptions(&sessionOptions), "to create session options for", model);
        try
        {
            runtime.Check(api.SetIntraOpNumThreads(sessionOptions, options.IntraOpThreads), "to set intra-op threads for", model);
            runtime.Check(api.SetInterOpNumThreads(sessionOptions, options.InterOpThreads), "to set inter-op threads for", model);
            runtime.Check(api.SetSessionGraphOptimizationLevel(sessionOptions, (int)options.GraphOptimization), "to set the optimisation level for", model);
            if (!options.UseMemoryArena)
            {
                runtime.Check(api.DisableCpuMemArena(sessionOptions), "to disable the memory arena for", model);
            }

            // Session config keys from onnxruntime_session_options_config_keys.h; "0" makes idle pool threads sleep.
            var spin = options.AllowSpinning ? "1\0"u8 : "0\0"u8;
            fixed (byte* value = spin)
            fixed (byte* intra = "session.intra_op.allow_spinning\0"u8)
            fixed (byte* inter = "session.inter_op.allow_spinning\0"u8)
            {
                runtime.Check(api.AddSessionConfigEntry(sessionOptions, intra, value), "to set intra-op spinning for", model);
                runtime.Check(api.AddSessionConfigEntry(sessionOptions, inter, value), "to set inter-op spinning for", model);
            }

            return sessionOptions;
        }
        catch
        {
            api.ReleaseSessionOptions(sessionOptions);
            throw;
        }
    }

    private (TensorInfo[] Tensors, nint[] Names) Describe(bool isInput)
    {
        var api = Runtime.Api;
        var session = _handle.DangerousGetHandle();
        nuint count;
        Runtime.Check(isInput ? api.SessionGetInputCount(session, &count) : api.SessionGetOutputCount(session, &count), "to describe", ModelName);
        var tensors = new TensorInfo[(int)count];
        var names = new nint[(int)count];
        for (var i = 0; i < tensors.Length; i++)
        {
            nint name;
            Runtime.Check(
                isInput ? api.SessionGetInputName(session, (nuint)i, Runtime.DefaultAllocator, &name) : api.SessionGetOutputName(session, (nuint)i, Runtime.DefaultAllocator, &name),
                "to describe",
                ModelName);
            _handle.OwnName(name);
            names[i] = name;

            nint typeInfo;
            Runtime.Check(isInput ? api.SessionGetInputTypeInfo(session, (nuint)i, &typeInfo) : api.SessionGetOutputTypeInfo(session, (nuint)i, &typeInfo), "to describe", ModelName);
            try
            {
                tensors[i] = DescribeTensor(Marshal.PtrToStringUTF8(name) ?? "", typeInfo);
            }
            finally
            {
                api.ReleaseTypeInfo(typeInfo);
            }
        }

        return (tensors, names);
    }

    private TensorInfo DescribeTensor(string name, nint typeInfo)
    {
        var api = Runtime.Api;
        nint info;
        Runtime.Check(api.CastTypeInfoToTensorInfo(typeInfo, &info), "to describe", ModelName);
        if (info == 0)
        {
            return new TensorInfo(name, TensorElementType.Undefined, []);
        }

        // info belongs to typeInfo: not released here.
        int elementType;
        nuint rank;
        Runtime.Check(api.GetTensorElementType(info, &elementType), "to describe", ModelName);
        Runtime.Check(api.GetDimensionsCount(info, &rank), "to describe", ModelName);
        var dimensions = new long[(int)rank];
        fixed (long* p = dimensions)
        {
            Runtime.Check(api.GetDimensions(info, p, rank), "to describe", ModelName);
        }

        return new TensorInfo(name, (TensorElementType)elementType, dimensions);
    }

    private void CopyOut(nint value, InferenceOutput output)
    {
        var api = Runtime.Api;
        nint info;
        Runtime.Check(api.GetTensorTypeAndShape(value, &info), "to read an output of", ModelName, output.Name);
        try
        {
            int elementType;
            nuint rank, count;
            Runtime.Check(api.GetTensorElementType(info, &elementType), "to read an output of", ModelName, output.Name);
            if (elementType != OrtRuntime.ElementTypeFloat)
            {
                throw new InferenceException(
                    $"Model '{ModelName}' output '{output.Name}' is {TensorInfo.FormatType((TensorElementType)elementType)}; only float32 outputs are supported.");
            }

            Runtime.Check(api.GetDimensionsCount(info, &rank), "to read an output of", ModelName, output.Name);
            fixed (long* shape = output.PrepareShape((int)rank))
            {
                Runtime.Check(api.GetDimensions(info, shape, rank), "to read an output of", ModelName, output.Name);
            }

            Runtime.Check(api.GetTensorShapeElementCount(info, &count), "to read an output of", ModelName, output.Name);
            void* data;
            Runtime.Check(api.GetTensorMutableData(value, &data), "to read an output of", ModelName, output.Name);
            new ReadOnlySpan<float>(data, checked((int)count)).CopyTo(output.PrepareData((int)count));
        }
        finally
        {
            api.ReleaseTensorTypeAndShapeInfo(info);
        }
    }

    private void CheckCount(int given, TensorInfo[] declared, string kind)
    {
        if (given == 0 || given > declared.Length)
        {
            throw new ArgumentException(
                $"Model '{ModelName}' has {declared.Length} {kind}(s) ({string.Join("; ", declared.AsEnumerable())}), but {given} were given.");
        }
    }

    private int IndexOf(TensorInfo[] declared, string name, string kind)
    {
        for (var i = 0; i < declared.Length; i++)
        {
            if (string.Equals(declared[i].Name, name, StringComparison.Ordinal))
            {
                return i;
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
            fits &= shape[d] >= 0 && (declared.Dimensions[d] < 0 || declared.Dimensions[d] == shape[d]);
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

    /// <summary>Room on the stack for the pins of a run's inputs (models here take one or two).</summary>
    [InlineArray(Capacity)]
    private struct PinBuffer
    {
        public const int Capacity = 4;

        private MemoryHandle _element;
    }
}
