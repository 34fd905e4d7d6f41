using System.Buffers.Binary;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Lookups;

/// <summary>
/// The byte form of a composite lookup key, so that a table is probed by span without allocating: a string is its
/// length (4 bytes) and UTF-8 bytes, any other value its 8 raw bits (<see cref="FieldValue.RawBits"/>).
/// </summary>
internal static class LookupKey
{
    /// <summary>Bytes a non-string key part takes.</summary>
    public const int FixedPartLength = 8;

    /// <summary>Appends a string part at <paramref name="offset"/>; returns the new offset.</summary>
    public static int WriteString(Span<byte> destination, int offset, ReadOnlySpan<byte> utf8)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[offset..], utf8.Length);
        utf8.CopyTo(destination[(offset + 4)..]);
        return offset + 4 + utf8.Length;
    }

    /// <summary>Appends a fixed part (raw bits) at <paramref name="offset"/>; returns the new offset.</summary>
    public static int WriteBits(Span<byte> destination, int offset, long bits)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination[offset..], bits);
        return offset + FixedPartLength;
    }

    /// <summary>The key bytes of a row's key values.</summary>
    public static byte[] Encode(IReadOnlyList<FieldValue> keys)
    {
        var utf8 = keys.Select(k => k.Type.Kind == FieldKind.String ? System.Text.Encoding.UTF8.GetBytes(k.AsString()) : null).ToArray();
        var buffer = new byte[utf8.Sum(u => u is null ? FixedPartLength : 4 + u.Length)];
        var offset = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            offset = utf8[i] is { } bytes ? WriteString(buffer, offset, bytes) : WriteBits(buffer, offset, keys[i].RawBits);
        }

        return buffer;
    }
}
