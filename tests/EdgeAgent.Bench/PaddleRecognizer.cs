using System.Text;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;

namespace EdgeAnpr.Bench;

/// <summary>
/// PP-OCRv4's general text-line recogniser (<c>ch_PP-OCRv4_rec_infer.onnx</c>: Chinese and Latin script, CTC over a
/// 6623-character dictionary), run through the project's own ONNX Runtime binding, prepared and decoded as PaddleOCR's
/// <c>tools/infer/predict_rec.py</c> does for one line (<c>rec_image_shape</c> 3,48,320, CTCLabelDecode with
/// <c>use_space_char</c>): the BGR crop resized to height 48 keeping its aspect (bilinear, as <c>cv2.resize</c>),
/// padded with zeros on the right to at least 320 wide, values (x/255 - 0.5)/0.5; then greedy CTC, class 0 the blank,
/// classes 1..6623 the dictionary's lines, the last class a space.
/// </summary>
/// <remarks>One instance serves one thread at a time; it owns its session and disposes it.</remarks>
internal sealed class PaddleRecognizer : IDisposable
{
    private const int Height = 48;
    private const int MinWidth = 320;

    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string[] _classes;
    private readonly InferenceOutput _output;
    private readonly long[] _shape = [1, 3, Height, MinWidth];
    private float[] _input = [];

    private PaddleRecognizer(InferenceSession session, string[] classes)
    {
        _session = session;
        _classes = classes;
        _inputName = session.Inputs[0].Name;
        session.RequireInput(_inputName, 1, 3, Height, -1);
        var output = session.Outputs[0];
        if (output.Dimensions.Count != 3 || output.Dimensions[2] != classes.Length)
        {
            throw new InferenceException($"Model '{session.ModelName}' output {output} does not give the {classes.Length} classes of its dictionary (blank + lines + space).");
        }

        _output = new InferenceOutput(output.Name);
    }

    public string ModelName => _session.ModelName;

    /// <summary>Loads the model with one intra-op thread, and its dictionary (one character a line, as PaddleOCR reads it).</summary>
    public static PaddleRecognizer Open(string model, string dictionary)
    {
        string[] classes = ["", .. File.ReadAllLines(dictionary).Select(line => line.TrimEnd('\r', '\n')), " "];
        var session = InferenceSession.FromFile(model, new InferenceOptions { IntraOpThreads = 1 });
        try
        {
            return new PaddleRecognizer(session, classes);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The text of one line crop, as the model wrote it (any of its characters, spaces included).</summary>
    public string Read(ColorImage image)
    {
        ArgumentNullException.ThrowIfNull(image);

        // predict_rec.py, one crop a batch: imgW = int(imgH * max(320/48, w/h)); resized_w = min(ceil(imgH * w/h), imgW).
        var ratio = image.Width / (double)image.Height;
        var width = Math.Max(MinWidth, (int)(Height * ratio));
        var resized = Math.Min(width, (int)Math.Ceiling(Height * ratio));
        var plane = Height * width;
        if (_input.Length < 3 * plane)
        {
            _input = new float[3 * plane];
        }

        var input = _input.AsSpan(0, 3 * plane);
        input.Clear();
        var source = new PixelRect(0, 0, image.Width, image.Height);
        for (var c = 0; c < 3; c++)
        {
            var channel = input.Slice(c * plane, plane);
            Bilinear.Resize(image.Planes[c], image.Width, source, channel, width, resized, Height, 1f / 255f);
            for (var y = 0; y < Height; y++)
            {
                foreach (ref var value in channel.Slice(y * width, resized))
                {
                    value = (value - 0.5f) / 0.5f;
                }
            }
        }

        _shape[3] = width;
        _session.Run(new InferenceInput(_inputName, _input.AsMemory(0, 3 * plane), _shape), _output);
        return Decode(_output.Span, (int)_output.Shape[1]);
    }

    public void Dispose()
    {
        _output.Dispose();
        _session.Dispose();
    }

    /// <summary>Greedy CTC: the most probable class of each step, repeats merged, blanks dropped.</summary>
    private string Decode(ReadOnlySpan<float> probabilities, int steps)
    {
        var text = new StringBuilder();
        var previous = 0;
        for (var t = 0; t < steps; t++)
        {
            var step = probabilities.Slice(t * _classes.Length, _classes.Length);
            var best = 0;
            for (var k = 1; k < step.Length; k++)
            {
                if (step[k] > step[best])
                {
                    best = k;
                }
            }

            if (best != 0 && best != previous)
            {
                text.Append(_classes[best]);
            }

            previous = best;
        }

        return text.ToString();
    }
}
