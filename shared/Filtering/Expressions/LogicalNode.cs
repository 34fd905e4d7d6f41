using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// <c>left AND right</c> or <c>left OR right</c> with SQL's three-valued logic: FALSE AND null is FALSE,
/// TRUE OR null is TRUE, otherwise a null side gives null.
/// </summary>
internal sealed class LogicalNode(bool isAnd, ValueNode left, ValueNode right) : ValueNode(FieldType.Bool)
{
    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        // The value that decides alone: 0 for AND, 1 for OR.
        var decisive = isAnd ? 0L : 1L;
        var leftKnown = left.TryEvaluate(record, out var a);
        if (leftKnown && a == decisive)
        {
            bits = decisive;
            return true;
        }

        var rightKnown = right.TryEvaluate(record, out var b);
        if (rightKnown && b == decisive)
        {
            bits = decisive;
            return true;
        }

        bits = 1 - decisive;
        return leftKnown && rightKnown;
    }

    public override void WriteCanonical(StringBuilder sb)
    {
        sb.Append('(');
        left.WriteCanonical(sb);
        sb.Append(isAnd ? " AND " : " OR ");
        right.WriteCanonical(sb);
        sb.Append(')');
    }
}
