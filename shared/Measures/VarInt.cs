using System.Buffers.Binary;

namespace Lambda.Shared.Measures;

/// <summary>
/// LEB128 variable-length integers (7 bits per byte, low groups first, high bit = more) and zig-zag
/// signed mapping, as in Protocol Buffers. Hand-written because the BCL exposes 7-bit encoding only on
/// streams (BinaryWriter), and states are written into spans.
/// </summary>
internal static class VarInt
{
    public static int Size(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int Size(UInt128 value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static int Write(Span<byte> destination, UInt128 value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)((byte)value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    public static UInt128 ZigZag(Int128 value) => (UInt128)((value << 1) ^ (value >> 127));

    public static Int128 UnZigZag(UInt128 value) => (Int128)(value >> 1) ^ -(Int128)(value & 1);

    public static int WriteDouble(Span<byte> destination, double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(destination, value);
        return 8;
    }
}
