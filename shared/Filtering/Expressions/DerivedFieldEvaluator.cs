using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Lookups;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// Computes a source's enriched and derived fields into an <see cref="EventRecord"/>: first the lookup joins
/// (<c>enrich:</c>, with the record's <see cref="EventRecord.Lookups"/>), then the derived fields in declaration order
/// (a derived field reads the enriched fields and the derived ones before it). A null result leaves the field unset,
/// which is how a record holds null.
/// </summary>
internal sealed class DerivedFieldEvaluator(
    IReadOnlyList<EnrichmentDefinition> enrichments, IReadOnlyList<FieldDefinition> fields, IReadOnlyList<ValueNode> expressions)
{
    private readonly EnrichmentDefinition[] _enrichments = enrichments.ToArray();
    private readonly int[] _ordinals = fields.Select(f => f.Ordinal).ToArray();
    private readonly bool[] _isString = fields.Select(f => f.Type.Kind == FieldKind.String).ToArray();
    private readonly ValueNode[] _expressions = expressions.ToArray();

    /// <summary>Computes every enriched and derived field; returns a bit per enrichment whose key had no valid row.</summary>
    public long Compute(EventRecord record)
    {
        var missed = 0L;
        for (var e = 0; e < _enrichments.Length; e++)
        {
            if (!_enrichments[e].Apply(record, record.TableOf(e)))
            {
                missed |= 1L << e;
            }
        }

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

        return missed;
    }
}
