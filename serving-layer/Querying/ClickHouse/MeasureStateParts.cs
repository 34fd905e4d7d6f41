using System.Buffers;
using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;

namespace Lambda.ServingLayer.Querying.ClickHouse;

/// <summary>
/// Builds measure states from the parts a speed table stores in separate columns (an average's sum and count, a
/// distinct count's sketch). The shared states have no public constructor from parts, so the state's documented
/// serialised form (<see cref="MeasureState"/>: version byte, layout tag, LEB128 varint payload) is assembled and
/// read back through <see cref="MeasureDefinition.ReadState"/>, which validates it. The layout tag is taken from an
/// empty state of the same measure, so no tag value is repeated here.
/// </summary>
internal static class MeasureStateParts
{
    /// <summary>An average's state from its count and its sum (unscaled for a long or decimal field).</summary>
    public static MeasureState ExactAverage(MeasureDefinition measure, long count, Int128 unscaledSum)
    {
        var writer = Start(measure, 32);
        WriteVarUInt(writer, (ulong)count);
        WriteVarUInt(writer, ZigZag(unscaledSum));
        return measure.ReadState(writer.WrittenSpan);
    }

    /// <summary>An average's state over a double field from its count and sum.</summary>
    public static MeasureState DoubleAverage(MeasureDefinition measure, long count, double sum)
    {
        var writer = Start(measure, 24);
        WriteVarUInt(writer, (ulong)count);
        var span = writer.GetSpan(8);
        System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(span, sum);
        writer.Advance(8);
        return measure.ReadState(writer.WrittenSpan);
    }

    /// <summary>
    /// A distinct count's state from stored bytes: either a whole serialised state (first byte
    /// <see cref="MeasureState.FormatVersion"/>) or the bare HyperLogLog sketch (first byte its precision).
    /// </summary>
    /// <exception cref="FormatException">Neither.</exception>
    public static MeasureState Distinct(MeasureDefinition measure, ReadOnlySpan<byte> stored)
    {
        if (!stored.IsEmpty && stored[0] == MeasureState.FormatVersion)
        {
            return measure.ReadState(stored);
        }

        var writer = Start(measure, stored.Length + 2);
        writer.Write(stored);
        return measure.ReadState(writer.WrittenSpan);
    }

    private static ArrayBufferWriter<byte> Start(MeasureDefinition measure, int capacity)
    {
        var header = measure.CreateState().ToBytes();
        var writer = new ArrayBufferWriter<byte>(capacity);
        writer.Write(header.AsSpan(0, 2));
        return writer;
    }

    private static UInt128 ZigZag(Int128 value) => (UInt128)((value << 1) ^ (value >> 127));

    private static void WriteVarUInt(ArrayBufferWriter<byte> writer, UInt128 value)
    {
        var span = writer.GetSpan(19);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        writer.Advance(n);
    }

    private static void WriteVarUInt(ArrayBufferWriter<byte> writer, ulong value) => WriteVarUInt(writer, (UInt128)value);
}
