using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// <c>if(condition, then, else)</c>; also each WHEN of a <c>CASE</c> (whose missing ELSE is a <see cref="NullNode"/>).
/// A null condition counts as false, as in SQL.
/// </summary>
internal sealed class IfNode(ValueNode condition, ValueNode then, ValueNode otherwise, FieldType type) : ValueNode(type)
{
    public override bool TryEvaluate(EventRecord record, out long bits) =>
        condition.TryEvaluate(record, out var c) && c != 0 ? then.TryEvaluate(record, out bits) : otherwise.TryEvaluate(record, out bits);

    public override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8) =>
        condition.TryEvaluate(record, out var c) && c != 0 ? then.TryEvaluateUtf8(record, out utf8) : otherwise.TryEvaluateUtf8(record, out utf8);

    public override void WriteCanonical(StringBuilder sb) => WriteCall(sb, "if", condition, then, otherwise);
}
