using Microsoft.ML.OnnxRuntime;

namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// One reusable way to run a model for one set of input shapes and one set of outputs: an <see cref="OrtIoBinding"/>
/// whose inputs and outputs are tensors over arrays on the pinned object heap that this object owns. A run copies the
/// caller's inputs into those arrays, runs, and copies the outputs out, so it binds nothing and allocates nothing
/// (binding a name allocates; it happens here once). The output shapes are learned on the first run, when ONNX Runtime
/// allocates the outputs, and the outputs are then bound to pinned tensors of those shapes; this assumes, as holds for
/// every model here, that the output shapes follow from the input shapes alone. Not thread-safe: the session lends each
/// to one run at a time and disposes it.
/// </summary>
internal sealed class RunBinding : IDisposable
{
    private readonly Microsoft.ML.OnnxRuntime.InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly PinnedTensor?[] _inputs;
    private readonly PinnedTensor?[] _outputs;
    private readonly bool[] _wanted;
    private readonly int[] _boundOrder;
    private bool _outputsLearned;

    /// <summary>Binds tensors shaped as <paramref name="inputs"/> and asks for the outputs at <paramref name="outputIndex"/>.</summary>
    /// <param name="session">The package's session; not owned.</param>
    /// <param name="model">The model's inputs and outputs.</param>
    /// <param name="inputs">One run's inputs, each model input once; <paramref name="inputIndex"/> gives each one's place in the model's inputs.</param>
    /// <param name="inputIndex">Places of <paramref name="inputs"/> in the model's inputs.</param>
    /// <param name="outputIndex">Places in the model's outputs of the outputs asked for.</param>
    public RunBinding(
        Microsoft.ML.OnnxRuntime.InferenceSession session,
        OnnxRuntimeSession model,
        ReadOnlySpan<InferenceInput> inputs,
        ReadOnlySpan<int> inputIndex,
        ReadOnlySpan<int> outputIndex)
    {
        _session = session;
        _binding = session.CreateIoBinding();
        _inputs = new PinnedTensor?[model.Inputs.Count];
        _outputs = new PinnedTensor?[model.Outputs.Count];
        _wanted = new bool[model.Outputs.Count];
        _boundOrder = outputIndex.ToArray();
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                var tensor = new PinnedTensor(model.Inputs[inputIndex[i]].Name, inputs[i].Shape.Span);
                _inputs[inputIndex[i]] = tensor;
                _binding.BindInput(tensor.Name, tensor.Value);
            }

            foreach (var index in _boundOrder)
            {
                _wanted[index] = true;
                _binding.BindOutputToDevice(model.Outputs[index].Name, OrtMemoryInfo.DefaultInstance);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Whether this binding runs <paramref name="inputs"/> asking for exactly the outputs at <paramref name="outputIndex"/>.</summary>
    public bool Fits(ReadOnlySpan<InferenceInput> inputs, ReadOnlySpan<int> inputIndex, ReadOnlySpan<int> outputIndex)
    {
        if (outputIndex.Length != _boundOrder.Length)
        {
            return false;
        }

        foreach (var index in outputIndex)
        {
            if (!_wanted[index])
            {
                return false;
            }
        }

        for (var i = 0; i < inputs.Length; i++)
        {
            if (!_inputs[inputIndex[i]]!.Shape.SequenceEqual(inputs[i].Shape.Span))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs with <paramref name="inputs"/>, which <see cref="Fits"/>, and copies the outputs into <paramref name="outputs"/>.</summary>
    public void Run(ReadOnlySpan<InferenceInput> inputs, ReadOnlySpan<int> inputIndex, ReadOnlySpan<InferenceOutput> outputs, ReadOnlySpan<int> outputIndex)
    {
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i].Data.Span.CopyTo(_inputs[inputIndex[i]]!.Data);
        }

        if (_outputsLearned)
        {
            _session.RunWithBinding(_runOptions, _binding);
        }
        else
        {
            RunAndLearnOutputs();
        }

        for (var o = 0; o < outputs.Length; o++)
        {
            _outputs[outputIndex[o]]!.CopyTo(outputs[o]);
        }
    }

    public void Dispose()
    {
        _binding.Dispose();
        _runOptions.Dispose();
        foreach (var tensor in _inputs.Concat(_outputs))
        {
            tensor?.Dispose();
        }
    }

    /// <summary>
    /// Runs with ONNX Runtime allocating the outputs, keeps a copy of each in a pinned tensor of its shape, and binds
    /// those tensors as the outputs of the runs that follow.
    /// </summary>
    private void RunAndLearnOutputs()
    {
        _session.RunWithBinding(_runOptions, _binding);
        using (var values = _binding.GetOutputValues())
        {
            for (var o = 0; o < _boundOrder.Length; o++)
            {
                var index = _boundOrder[o];
                var tensor = new PinnedTensor(_session.OutputNames[index], values[o].GetTensorTypeAndShape().Shape);
                _outputs[index] = tensor;
                values[o].GetTensorDataAsSpan<float>().CopyTo(tensor.Data);
            }
        }

        _binding.ClearBoundOutputs();
        foreach (var index in _boundOrder)
        {
            _binding.BindOutput(_outputs[index]!.Name, _outputs[index]!.Value);
        }

        _outputsLearned = true;
    }

    /// <summary>A float32 tensor of one shape over an array on the pinned object heap, whose address ONNX Runtime may keep.</summary>
    private sealed class PinnedTensor : IDisposable
    {
        private readonly float[] _buffer;
        private readonly long[] _shape;

        public PinnedTensor(string name, ReadOnlySpan<long> shape)
        {
            long elements = 1;
            foreach (var dimension in shape)
            {
                elements *= dimension;
            }

            Name = name;
            _shape = shape.ToArray();
            _buffer = GC.AllocateUninitializedArray<float>(checked((int)elements), pinned: true);
            Value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _buffer.AsMemory(), _shape);
        }

        public string Name { get; }

        public OrtValue Value { get; }

        public ReadOnlySpan<long> Shape => _shape;

        public Span<float> Data => _buffer;

        public void CopyTo(InferenceOutput output)
        {
            _shape.CopyTo(output.PrepareShape(_shape.Length));
            _buffer.CopyTo(output.PrepareData(_buffer.Length));
        }

        public void Dispose() => Value.Dispose();
    }
}
