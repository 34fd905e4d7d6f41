using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>Always null: the missing ELSE of a CASE.</summary>
internal sealed class NullNode(FieldType type) : ValueNode(type)
{
    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        bits = 0;
        return false;
    }

    public override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        return false;
    }

    public override void WriteCanonical(StringBuilder sb) => sb.Append("NULL");
}
