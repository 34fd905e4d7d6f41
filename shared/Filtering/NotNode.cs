using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

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
