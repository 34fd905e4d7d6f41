using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

/// <summary>Compares a double field with a double literal (IEEE comparison).</summary>
internal sealed class DoubleComparisonNode(int ordinal, string field, ComparisonOperator op, double literal, string literalText) : FilterNode
{
    public override bool Evaluate(EventRecord record)
    {
        var v = BitConverter.Int64BitsToDouble(record.RawBits(ordinal));
        return op.Holds(v.CompareTo(literal));
    }

    public override void WriteCanonical(StringBuilder sb) => sb.Append(field).Append(' ').Append(op.ToSymbol()).Append(' ').Append(literalText);
}
