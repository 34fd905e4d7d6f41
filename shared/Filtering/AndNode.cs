using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

/// <summary><c>left AND right</c> (short-circuit).</summary>
internal sealed class AndNode(FilterNode left, FilterNode right) : FilterNode
{
    public override bool Evaluate(EventRecord record) => left.Evaluate(record) && right.Evaluate(record);

    public override void WriteCanonical(StringBuilder sb)
    {
        sb.Append('(');
        left.WriteCanonical(sb);
        sb.Append(" AND ");
        right.WriteCanonical(sb);
        sb.Append(')');
    }
}
