using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>A node whose value is a string (evaluated with <see cref="ValueNode.TryEvaluateUtf8"/>).</summary>
internal abstract class StringValueNode() : ValueNode(FieldType.String)
{
    public sealed override bool TryEvaluate(EventRecord record, out long bits) =>
        throw new InvalidOperationException("a string expression has no 64-bit value");

    public abstract override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8);
}
