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

/// <summary><c>left OR right</c> (short-circuit).</summary>
internal sealed class OrNode(FilterNode left, FilterNode right) : FilterNode
{
    public override bool Evaluate(EventRecord record) => left.Evaluate(record) || right.Evaluate(record);

    public override void WriteCanonical(StringBuilder sb)
    {
        sb.Append('(');
        left.WriteCanonical(sb);
        sb.Append(" OR ");
        right.WriteCanonical(sb);
        sb.Append(')');
    }
}

/// <summary><c>NOT operand</c>.</summary>
internal sealed class NotNode(FilterNode operand) : FilterNode
{
    public override bool Evaluate(EventRecord record) => !operand.Evaluate(record);

    public override void WriteCanonical(StringBuilder sb)
    {
        sb.Append("(NOT ");
        operand.WriteCanonical(sb);
        sb.Append(')');
    }
}
