using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.Intrinsics;

namespace EdgeAnpr.Agent.Imaging;

/// <summary>
/// A small baseline JPEG encoder for 8-bit gray images (ITU-T T.81: sequential DCT, Huffman coding, one
/// component), for the plate crop a hit carries. It writes a JFIF file any decoder reads, with the example
/// luminance quantisation table of Annex K.1 scaled by an IJG-style quality and the example Huffman tables of
/// Annex K.3 (no optimised tables, no restart markers, no subsampling: there is one component).
/// </summary>
/// <remarks>
/// Why not a package or ffmpeg: the NuGet source here has no image codec (no ImageSharp, no SkiaSharp), and
/// starting ffmpeg per hit costs some 50 ms of CPU on the box's small cores while this encodes a 200x60 crop
/// in well under a millisecond, with nothing to install and nothing that can hang.
/// </remarks>
public static class GrayJpeg
{
    /// <summary>The default quality: a plate crop stays legible to a person at a few kilobytes.</summary>
    public const int DefaultQuality = 75;

    /// <summary>Baseline JPEG's largest dimension (the 16-bit fields of SOF0).</summary>
    public const int MaxDimension = 65535;

    /// <summary>Annex K.1, the luminance quantisation table, in natural (row-major) order.</summary>
    private static readonly byte[] LuminanceTable =
    [
        16, 11, 10, 16, 24, 40, 51, 61,
        12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77,
        24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101,
        72, 92, 95, 98, 112, 100, 103, 99,
    ];

    /// <summary>Figure A.6: the natural-order index of the k-th coefficient in zig-zag order.</summary>
    private static readonly byte[] ZigZag =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];

    /// <summary>Table K.3: DC luminance code lengths (count of codes of length 1..16) and values.</summary>
    private static readonly byte[] DcBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];

    private static readonly byte[] DcValues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

    /// <summary>Table K.5: AC luminance code lengths and values.</summary>
    private static readonly byte[] AcBits = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];

    private static readonly byte[] AcValues =
    [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
        0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
        0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
        0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
        0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
        0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
        0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
        0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
        0xf9, 0xfa,
    ];

    private static readonly HuffmanCodes DcCodes = HuffmanCodes.Build(DcBits, DcValues);

    private static readonly HuffmanCodes AcCodes = HuffmanCodes.Build(AcBits, AcValues);

    /// <summary>The DCT basis, <c>Basis[u * 8 + x] = C(u)/2 * cos((2x + 1) u pi / 16)</c> (section A.3.3).</summary>
    private static readonly float[] Basis = MakeBasis();

    /// <summary>The basis transposed, as vectors over u: <c>[2x]</c> holds u 0-3 of column x, <c>[2x + 1]</c> u 4-7.</summary>
    private static readonly Vector128<float>[] BasisColumns = MakeBasisColumns();

    /// <summary>Encodes <paramref name="pixels"/> (8-bit gray, row-major, <paramref name="stride"/> bytes a row) as a JFIF file.</summary>
    /// <param name="pixels">The image.</param>
    /// <param name="width">Width in pixels, 1 to <see cref="MaxDimension"/>.</param>
    /// <param name="height">Height in pixels, 1 to <see cref="MaxDimension"/>.</param>
    /// <param name="quality">1 (smallest) to 100 (best); default <see cref="DefaultQuality"/>.</param>
    /// <param name="stride">Bytes from one row to the next; 0 means <paramref name="width"/>.</param>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int quality = DefaultQuality, int stride = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, MaxDimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, MaxDimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        stride = stride == 0 ? width : stride;
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width);
        if (pixels.Length < ((long)stride * (height - 1)) + width)
        {
            throw new ArgumentException($"{pixels.Length} bytes cannot hold a {width}x{height} image with stride {stride}.", nameof(pixels));
        }

        var table = QuantisationTable(quality);
        var output = new ArrayBufferWriter<byte>(1024 + (width * height / 4));
        WriteHeaders(output, width, height, table);

        // Reciprocals of the quantisers in natural order: quantising is then a multiply.
        Span<float> reciprocal = stackalloc float[64];
        for (var i = 0; i < 64; i++)
        {
            reciprocal[i] = 1f / table[i];
        }

        var bits = new BitWriter(output);
        Span<float> block = stackalloc float[64];
        Span<Vector128<float>> temp = stackalloc Vector128<float>[16];
        Span<int> coefficients = stackalloc int[64];
        var previousDc = 0;
        for (var by = 0; by < height; by += 8)
        {
            for (var bx = 0; bx < width; bx += 8)
            {
                LoadBlock(pixels, stride, width, height, bx, by, block);
                ForwardDct(block, temp);
                for (var k = 0; k < 64; k++)
                {
                    var natural = ZigZag[k];
                    coefficients[k] = (int)MathF.Round(block[natural] * reciprocal[natural], MidpointRounding.AwayFromZero);
                }

                previousDc = EncodeBlock(ref bits, coefficients, previousDc);
            }
        }

        bits.Flush();
        output.Write<byte>([0xFF, 0xD9]); // EOI
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The quantisation table for <paramref name="quality"/>, natural order, IJG scaling (libjpeg <c>jpeg_quality_scaling</c>).</summary>
    internal static byte[] QuantisationTable(int quality)
    {
        var scale = quality < 50 ? 5000 / quality : 200 - (quality * 2);
        var table = new byte[64];
        for (var i = 0; i < 64; i++)
        {
            table[i] = (byte)Math.Clamp(((LuminanceTable[i] * scale) + 50) / 100, 1, 255);
        }

        return table;
    }

    private static void WriteHeaders(ArrayBufferWriter<byte> output, int width, int height, byte[] table)
    {
        // SOI, then APP0 JFIF 1.01 with a 1:1 aspect ratio and no thumbnail (JFIF 1.02 section "JFIF APP0 marker").
        output.Write<byte>([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);

        // DQT (B.2.4.1): 8-bit precision, table 0, values in zig-zag order.
        output.Write<byte>([0xFF, 0xDB, 0, 67, 0x00]);
        var zigzagged = output.GetSpan(64);
        for (var k = 0; k < 64; k++)
        {
            zigzagged[k] = table[ZigZag[k]];
        }

        output.Advance(64);

        // SOF0 (B.2.2): baseline, 8-bit samples, one component (id 1, no subsampling, quantisation table 0).
        Span<byte> frame = [0xFF, 0xC0, 0, 11, 8, 0, 0, 0, 0, 1, 1, 0x11, 0];
        BinaryPrimitives.WriteUInt16BigEndian(frame[5..], (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(frame[7..], (ushort)width);
        output.Write(frame);

        // DHT (B.2.4.2): the DC table as class 0 id 0, the AC table as class 1 id 0.
        var length = 2 + 1 + DcBits.Length + DcValues.Length + 1 + AcBits.Length + AcValues.Length;
        output.Write<byte>([0xFF, 0xC4, (byte)(length >> 8), (byte)length, 0x00]);
        output.Write(DcBits);
        output.Write(DcValues);
        output.Write<byte>([0x10]);
        output.Write(AcBits);
        output.Write(AcValues);

        // SOS (B.2.3): one component using tables 0/0; spectral selection 0..63, no approximation (sequential).
        output.Write<byte>([0xFF, 0xDA, 0, 8, 1, 1, 0x00, 0, 63, 0]);
    }

    /// <summary>One 8x8 block, level-shifted by 128 (A.3.1); past the image's right and bottom edges the last column and row repeat.</summary>
    private static void LoadBlock(ReadOnlySpan<byte> pixels, int stride, int width, int height, int bx, int by, Span<float> block)
    {
        for (var y = 0; y < 8; y++)
        {
            var row = pixels.Slice(Math.Min(by + y, height - 1) * stride, width);
            for (var x = 0; x < 8; x++)
            {
                block[(y * 8) + x] = row[Math.Min(bx + x, width - 1)] - 128f;
            }
        }
    }

    /// <summary>
    /// The 2-D forward DCT of A.3.3 as two matrix products, <c>F = B (f B^T)</c>, in place: rows first, then columns,
    /// each output row kept as two 4-float vectors (SSE on x64, NEON on arm64).
    /// </summary>
    private static void ForwardDct(Span<float> block, Span<Vector128<float>> temp)
    {
        var columns = BasisColumns.AsSpan();
        for (var y = 0; y < 8; y++)
        {
            var low = Vector128<float>.Zero;
            var high = Vector128<float>.Zero;
            for (var x = 0; x < 8; x++)
            {
                var sample = block[(y * 8) + x];
                low += columns[2 * x] * sample;
                high += columns[(2 * x) + 1] * sample;
            }

            temp[2 * y] = low;
            temp[(2 * y) + 1] = high;
        }

        var basis = Basis.AsSpan();
        for (var v = 0; v < 8; v++)
        {
            var low = Vector128<float>.Zero;
            var high = Vector128<float>.Zero;
            for (var y = 0; y < 8; y++)
            {
                var weight = basis[(v * 8) + y];
                low += temp[2 * y] * weight;
                high += temp[(2 * y) + 1] * weight;
            }

            low.CopyTo(block.Slice(v * 8, 4));
            high.CopyTo(block.Slice((v * 8) + 4, 4));
        }
    }

    /// <summary>Huffman-codes one block's coefficients (zig-zag order) per F.1.2; returns its DC for the next block's difference.</summary>
    private static int EncodeBlock(ref BitWriter bits, ReadOnlySpan<int> coefficients, int previousDc)
    {
        var dc = coefficients[0];
        var difference = dc - previousDc;
        var size = Magnitude(difference);
        DcCodes.Write(ref bits, size);
        bits.Write(Amplitude(difference, size), size);

        var run = 0;
        for (var k = 1; k < 64; k++)
        {
            var value = coefficients[k];
            if (value == 0)
            {
                run++;
                continue;
            }

            while (run > 15)
            {
                AcCodes.Write(ref bits, 0xF0); // ZRL: sixteen zeros
                run -= 16;
            }

            size = Magnitude(value);
            AcCodes.Write(ref bits, (run << 4) | size);
            bits.Write(Amplitude(value, size), size);
            run = 0;
        }

        if (run > 0)
        {
            AcCodes.Write(ref bits, 0x00); // EOB
        }

        return dc;
    }

    /// <summary>The size category SSSS of a value (Tables F.1 and F.2): the bit length of its magnitude.</summary>
    private static int Magnitude(int value)
    {
        var magnitude = Math.Abs(value);
        return magnitude == 0 ? 0 : 32 - int.LeadingZeroCount(magnitude);
    }

    /// <summary>The extra bits after a size category: the value itself, or for a negative value its ones' complement (F.1.2.1).</summary>
    private static int Amplitude(int value, int size) => value >= 0 ? value : value + (1 << size) - 1;

    private static float[] MakeBasis()
    {
        var basis = new float[64];
        for (var u = 0; u < 8; u++)
        {
            var c = u == 0 ? 1 / Math.Sqrt(2) : 1.0;
            for (var x = 0; x < 8; x++)
            {
                basis[(u * 8) + x] = (float)(c / 2 * Math.Cos(((2 * x) + 1) * u * Math.PI / 16));
            }
        }

        return basis;
    }

    private static Vector128<float>[] MakeBasisColumns()
    {
        var basis = MakeBasis();
        var columns = new Vector128<float>[16];
        for (var x = 0; x < 8; x++)
        {
            columns[2 * x] = Vector128.Create(basis[x], basis[8 + x], basis[16 + x], basis[24 + x]);
            columns[(2 * x) + 1] = Vector128.Create(basis[32 + x], basis[40 + x], basis[48 + x], basis[56 + x]);
        }

        return columns;
    }

    /// <summary>Code and length per symbol, generated from a DHT's BITS and HUFFVAL lists as in Annex C (C.1-C.3).</summary>
    private sealed class HuffmanCodes
    {
        private readonly ushort[] _code = new ushort[256];
        private readonly byte[] _length = new byte[256];

        public static HuffmanCodes Build(byte[] bits, byte[] values)
        {
            var codes = new HuffmanCodes();
            var code = 0;
            var index = 0;
            for (var length = 1; length <= 16; length++)
            {
                for (var i = 0; i < bits[length - 1]; i++)
                {
                    var symbol = values[index++];
                    codes._code[symbol] = (ushort)code;
                    codes._length[symbol] = (byte)length;
                    code++;
                }

                code <<= 1;
            }

            return codes;
        }

        public void Write(ref BitWriter bits, int symbol)
        {
            var length = _length[symbol];
            if (length == 0)
            {
                throw new InvalidOperationException($"Huffman symbol 0x{symbol:x2} has no code.");
            }

            bits.Write(_code[symbol], length);
        }
    }

    /// <summary>The entropy-coded segment's bit packer: most significant bit first, 0xFF followed by a stuffed 0x00 (F.1.2.3).</summary>
    private struct BitWriter(ArrayBufferWriter<byte> output)
    {
        private uint _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            if (length == 0)
            {
                return;
            }

            _buffer = (_buffer << length) | ((uint)value & ((1u << length) - 1));
            _count += length;
            while (_count >= 8)
            {
                _count -= 8;
                Emit((byte)(_buffer >> _count));
            }
        }

        /// <summary>Pads the last byte with 1 bits (F.1.2.3) and writes it.</summary>
        public void Flush()
        {
            if (_count > 0)
            {
                Write((1 << (8 - _count)) - 1, 8 - _count);
            }
        }

        private readonly void Emit(byte value)
        {
            var span = output.GetSpan(2);
            span[0] = value;
            if (value == 0xFF)
            {
                span[1] = 0x00;
                output.Advance(2);
            }
            else
            {
                output.Advance(1);
            }
        }
    }
}
