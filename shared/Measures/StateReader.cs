using System.Buffers.Binary;

namespace Lambda.Shared.Measures;

/// <summary>Sequential reader over a serialised state that fails with <see cref="FormatException"/> on truncation or overlong input.</summary>
internal ref struct StateReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;

    public StateReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _position = 0;
    }

    public readonly int Remaining => _bytes.Length - _position;

    public byte ReadByte()
    {
        if (_position >= _bytes.Length)
        {
            throw Truncated();
        }

        return _bytes[_position++];
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || Remaining < count)
        {
            throw Truncated();
        }

        var slice = _bytes.Slice(_position, count);
        _position += count;
        return slice;
    }

    public ulong ReadVarUInt64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            if (shift == 63 && b > 1)
            {
                throw new FormatException("measure state: variable-length integer overflows 64 bits");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("measure state: variable-length integer is too long");
    }

    public UInt128 ReadVarUInt128()
    {
        UInt128 result = 0;
        for (var shift = 0; shift < 133; shift += 7)
        {
            var b = ReadByte();
            if (shift == 126 && b > 3)
            {
                throw new FormatException("measure state: variable-length integer overflows 128 bits");
            }

            result |= (UInt128)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("measure state: variable-length integer is too long");
    }

    public long ReadVarInt64() => VarInt.UnZigZag(ReadVarUInt64());

    public Int128 ReadVarInt128() => VarInt.UnZigZag(ReadVarUInt128());

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(ReadBytes(8));

    public readonly void EnsureEnd()
    {
        if (Remaining != 0)
        {
            throw new FormatException($"measure state: {Remaining} unexpected trailing byte(s)");
        }
    }

    private static FormatException Truncated() => new("measure state: unexpected end of data (truncated)");
}
