using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary><c>-operand</c> (long overflow gives null).</summary>
internal sealed class NegateNode(ValueNode operand) : ValueNode(operand.Type)
{
    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        if (!operand.TryEvaluate(record, out var v) || (Type.Kind == FieldKind.Long && v == long.MinValue))
        {
            bits = 0;
            return false;
        }

        bits = Type.Kind == FieldKind.Double ? BitConverter.DoubleToInt64Bits(-BitConverter.Int64BitsToDouble(v) + 0d) : -v;
        return true;
    }

    public override void WriteCanonical(StringBuilder sb)
    {
        sb.Append("(-");
        operand.WriteCanonical(sb);
        sb.Append(')');
    }
}
