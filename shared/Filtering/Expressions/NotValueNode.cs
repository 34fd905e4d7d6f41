using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary><c>NOT operand</c> (null stays null).</summary>
internal sealed class NotValueNode(ValueNode operand) : ValueNode(FieldType.Bool)
{
    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        var known = operand.TryEvaluate(record, out var v);
        bits = 1 - v;
        return known;
    }

    public override void WriteCanonical(StringBuilder sb)
    {
        sb.Append("(NOT ");
        operand.WriteCanonical(sb);
        sb.Append(')');
    }
}
