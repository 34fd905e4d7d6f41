using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>A source field or an earlier derived field (null when that derived value is null).</summary>
internal sealed class FieldNode(FieldDefinition field) : ValueNode(field.Type)
{
    private readonly int _ordinal = field.Ordinal;
    private readonly bool _derived = field.IsNullable;

    public FieldDefinition Field { get; } = field;

    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        bits = record.RawBits(_ordinal);
        return !_derived || record.IsSet(_ordinal);
    }

    public override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8)
    {
        if (_derived && !record.IsSet(_ordinal))
        {
            utf8 = default;
            return false;
        }

        utf8 = record.RawUtf8(_ordinal);
        return true;
    }

    public override void WriteCanonical(StringBuilder sb) => sb.Append(Field.Name);
}
