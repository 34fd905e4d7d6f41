using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// <c>substring(s, start[, length])</c> as in SQL: characters (Unicode code points) from 1-based position
/// <c>start</c> to <c>start + length - 1</c>, cut to the string (<c>substring('abc', 0, 2)</c> is <c>'a'</c>);
/// a negative length gives null. A slice of the input, no copy.
/// </summary>
internal sealed class SubstringNode(ValueNode text, ValueNode start, ValueNode? length) : StringValueNode
{
    public override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        if (!text.TryEvaluateUtf8(record, out var input) || !start.TryEvaluate(record, out var first))
        {
            return false;
        }

        var last = long.MaxValue;
        if (length is not null)
        {
            if (!length.TryEvaluate(record, out var count) || count < 0)
            {
                return false;
            }

            last = first > long.MaxValue - count ? long.MaxValue : first + count - 1;
        }

        first = Math.Max(first, 1);
        if (last < first)
        {
            utf8 = ReadOnlySpan<byte>.Empty;
            return true;
        }

        // Walk code points: a code point starts at every byte that is not a continuation byte (10xxxxxx).
        int from = input.Length, to = input.Length;
        long position = 0;
        for (var i = 0; i < input.Length; i++)
        {
            if ((input[i] & 0xC0) == 0x80)
            {
                continue;
            }

            position++;
            if (position == first)
            {
                from = i;
            }

            if (position == last + 1)
            {
                to = i;
                break;
            }
        }

        utf8 = from >= to ? ReadOnlySpan<byte>.Empty : input[from..to];
        return true;
    }

    public override void WriteCanonical(StringBuilder sb) => WriteCall(sb, "substring", text, start, length);
}
