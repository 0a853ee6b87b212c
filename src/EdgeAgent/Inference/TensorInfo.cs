using System.Globalization;
using System.Text;

namespace EdgeAnpr.Agent.Inference;

/// <summary>A model input or output as the model declares it.</summary>
public sealed class TensorInfo
{
    public TensorInfo(string name, TensorElementType elementType, IReadOnlyList<long> dimensions)
    {
        Name = name;
        ElementType = elementType;
        Dimensions = dimensions;
    }

    public string Name { get; }

    /// <summary>The element type; <see cref="TensorElementType.Undefined"/> for a value that is not a tensor (a sequence or map).</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The declared shape; -1 for a dimension the model leaves dynamic (a named or unknown size).</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>For messages: <c>image float32 [-1, 1, 32, 128]</c>.</summary>
    public override string ToString() => $"{Name} {FormatType(ElementType)} {FormatShape(Dimensions)}";

    /// <summary><c>[-1, 1, 32, 128]</c>.</summary>
    public static string FormatShape(IEnumerable<long> dimensions) =>
        "[" + string.Join(", ", dimensions.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    internal static string FormatShape(ReadOnlySpan<long> dimensions)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < dimensions.Length; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(dimensions[i].ToString(CultureInfo.InvariantCulture));
        }

        return text.Append(']').ToString();
    }

    internal static string FormatType(TensorElementType type) => type switch
    {
        TensorElementType.Undefined => "(not a tensor)",
        _ when Enum.IsDefined(type) => type.ToString().ToLowerInvariant(),
        _ => "element type " + ((int)type).ToString(CultureInfo.InvariantCulture),
    };
}

// The members are ONNX's element type names, so they read like .NET type names on purpose.
#pragma warning disable CA1720

/// <summary>Tensor element types (<c>ONNXTensorElementDataType</c> in onnxruntime_c_api.h); only <see cref="Float32"/> runs here.</summary>
public enum TensorElementType
{
    Undefined = 0,
    Float32 = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Float64 = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
}

#pragma warning restore CA1720
