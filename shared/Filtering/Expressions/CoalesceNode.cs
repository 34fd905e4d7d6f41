using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary><c>coalesce(a, b, …)</c>: the first argument that is not null (all converted to one type).</summary>
internal sealed class CoalesceNode(ValueNode[] arguments, FieldType type) : ValueNode(type)
{
    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        foreach (var argument in arguments)
        {
            if (argument.TryEvaluate(record, out bits))
            {
                return true;
            }
        }

        bits = 0;
        return false;
    }

    public override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8)
    {
        foreach (var argument in arguments)
        {
            if (argument.TryEvaluateUtf8(record, out utf8))
            {
                return true;
            }
        }

        utf8 = default;
        return false;
    }

    public override void WriteCanonical(StringBuilder sb) => WriteCall(sb, "coalesce", arguments);
}
