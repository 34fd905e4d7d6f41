using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// <c>left op right</c> over two values already converted to one type: strings by UTF-8 bytes (code point order),
/// doubles by IEEE order, everything else by its exact 64-bit form. A bool; null when either side is null.
/// </summary>
internal sealed class CompareNode(ComparisonOperator op, ValueNode left, ValueNode right) : ValueNode(FieldType.Bool)
{
    private readonly FieldKind _kind = left.Type.Kind;

    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        bits = 0;
        int comparison;
        if (_kind == FieldKind.String)
        {
            if (!left.TryEvaluateUtf8(record, out var a) || !right.TryEvaluateUtf8(record, out var b))
            {
                return false;
            }

            comparison = a.SequenceCompareTo(b);
        }
        else
        {
            if (!left.TryEvaluate(record, out var a) || !right.TryEvaluate(record, out var b))
            {
                return false;
            }

            comparison = _kind == FieldKind.Double
                ? BitConverter.Int64BitsToDouble(a).CompareTo(BitConverter.Int64BitsToDouble(b))
                : a.CompareTo(b);
        }

        bits = op.Holds(Math.Sign(comparison)) ? 1 : 0;
        return true;
    }

    public override void WriteCanonical(StringBuilder sb)
    {
        sb.Append('(');
        left.WriteCanonical(sb);
        sb.Append(' ').Append(op.ToSymbol()).Append(' ');
        right.WriteCanonical(sb);
        sb.Append(')');
    }
}
