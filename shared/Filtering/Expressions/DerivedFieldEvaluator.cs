using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// Computes a source's derived fields into an <see cref="EventRecord"/>, in declaration order (a derived field reads
/// the ones before it). A null result leaves the field unset, which is how a record holds null.
/// </summary>
internal sealed class DerivedFieldEvaluator(IReadOnlyList<FieldDefinition> fields, IReadOnlyList<ValueNode> expressions)
{
    private readonly int[] _ordinals = fields.Select(f => f.Ordinal).ToArray();
    private readonly bool[] _isString = fields.Select(f => f.Type.Kind == FieldKind.String).ToArray();
    private readonly ValueNode[] _expressions = expressions.ToArray();

    public void Compute(EventRecord record)
    {
        for (var i = 0; i < _expressions.Length; i++)
        {
            var ordinal = _ordinals[i];
            if (_isString[i])
            {
                if (_expressions[i].TryEvaluateUtf8(record, out var utf8))
                {
                    record.SetDerivedUtf8(ordinal, utf8);
                }
                else
                {
                    record.SetDerivedNull(ordinal);
                }
            }
            else if (_expressions[i].TryEvaluate(record, out var bits))
            {
                record.SetDerivedBits(ordinal, bits);
            }
            else
            {
                record.SetDerivedNull(ordinal);
            }
        }
    }
}
