namespace Lambda.Shared.ClickHouse;

/// <summary>
/// ClickHouse's TabSeparated escaping, at the byte level. Strings in ClickHouse are byte strings
/// (a String column may hold sketch states or any binary data), so fields are unescaped as bytes
/// and decoded as UTF-8 only when text is asked for: the raw bytes come back exactly.
/// </summary>
internal static class TabSeparatedEscaping
{
    private const byte Backslash = (byte)'\\';

    /// <summary>The field <c>\N</c>, which stands for NULL.</summary>
    public static bool IsNull(ReadOnlySpan<byte> escaped) =>
        escaped.Length == 2 && escaped[0] == Backslash && escaped[1] == (byte)'N';

    /// <summary>
    /// Unescapes <paramref name="escaped"/> into <paramref name="destination"/> (at least as long;
    /// may be the same memory, the output never overtakes the input) and returns the length.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> escaped, Span<byte> destination)
    {
        var read = 0;
        var written = 0;
        while (read < escaped.Length)
        {
            var next = escaped[read..].IndexOf(Backslash);
            if (next < 0)
            {
                escaped[read..].CopyTo(destination[written..]);
                written += escaped.Length - read;
                break;
            }

            escaped.Slice(read, next).CopyTo(destination[written..]);
            written += next;
            read += next + 1;
            if (read == escaped.Length)
            {
                destination[written++] = Backslash;
                break;
            }

            var code = escaped[read++];
            switch (code)
            {
                case (byte)'b': destination[written++] = 0x08; break;
                case (byte)'f': destination[written++] = 0x0C; break;
                case (byte)'n': destination[written++] = 0x0A; break;
                case (byte)'r': destination[written++] = 0x0D; break;
                case (byte)'t': destination[written++] = 0x09; break;
                case (byte)'0': destination[written++] = 0x00; break;
                case (byte)'a': destination[written++] = 0x07; break;
                case (byte)'v': destination[written++] = 0x0B; break;
                case (byte)'x' when read + 2 <= escaped.Length
                                    && HexValue(escaped[read]) >= 0 && HexValue(escaped[read + 1]) >= 0:
                    destination[written++] = (byte)((HexValue(escaped[read]) << 4) | HexValue(escaped[read + 1]));
                    read += 2;
                    break;
                default:
                    // \\, \', \" and any other escaped character stand for themselves.
                    destination[written++] = code;
                    break;
            }
        }

        return written;
    }

    /// <summary>Escapes bytes the way ClickHouse writes a TabSeparated field.</summary>
    public static byte[] Escape(ReadOnlySpan<byte> raw)
    {
        var output = new List<byte>(raw.Length + 8);
        foreach (var b in raw)
        {
            switch (b)
            {
                case 0x08: output.Add(Backslash); output.Add((byte)'b'); break;
                case 0x0C: output.Add(Backslash); output.Add((byte)'f'); break;
                case 0x0A: output.Add(Backslash); output.Add((byte)'n'); break;
                case 0x0D: output.Add(Backslash); output.Add((byte)'r'); break;
                case 0x09: output.Add(Backslash); output.Add((byte)'t'); break;
                case 0x00: output.Add(Backslash); output.Add((byte)'0'); break;
                case Backslash: output.Add(Backslash); output.Add(Backslash); break;
                case (byte)'\'': output.Add(Backslash); output.Add((byte)'\''); break;
                default: output.Add(b); break;
            }
        }

        return [.. output];
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
