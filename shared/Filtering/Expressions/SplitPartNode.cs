using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// <c>split_part(s, delimiter, n)</c> as in PostgreSQL: the n-th (1-based) piece of <c>s</c> split at
/// <c>delimiter</c>, <c>''</c> past the last piece, the whole string for an empty delimiter and n = 1; n &lt; 1 gives
/// null. A slice of the input, no copy.
/// </summary>
internal sealed class SplitPartNode(ValueNode text, ValueNode delimiter, ValueNode index) : StringValueNode
{
    public override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        if (!text.TryEvaluateUtf8(record, out var input) || !delimiter.TryEvaluateUtf8(record, out var separator)
            || !index.TryEvaluate(record, out var n) || n < 1)
        {
            return false;
        }

        if (separator.IsEmpty)
        {
            utf8 = n == 1 ? input : ReadOnlySpan<byte>.Empty;
            return true;
        }

        var rest = input;
        for (var piece = 1L; ; piece++)
        {
            var at = rest.IndexOf(separator);
            if (piece == n)
            {
                utf8 = at < 0 ? rest : rest[..at];
                return true;
            }

            if (at < 0)
            {
                utf8 = ReadOnlySpan<byte>.Empty;
                return true;
            }

            rest = rest[(at + separator.Length)..];
        }
    }

    public override void WriteCanonical(StringBuilder sb) => WriteCall(sb, "split_part", text, delimiter, index);
}
