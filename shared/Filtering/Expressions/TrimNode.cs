using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary><c>trim(s)</c>: drops spaces, tabs, carriage returns and line feeds at both ends (a slice, no copy).</summary>
internal sealed class TrimNode(ValueNode operand) : StringValueNode
{
    public override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8)
    {
        if (!operand.TryEvaluateUtf8(record, out var input))
        {
            utf8 = default;
            return false;
        }

        utf8 = input.Trim(" \t\r\n"u8);
        return true;
    }

    public override void WriteCanonical(StringBuilder sb) => WriteCall(sb, "trim", operand);
}
