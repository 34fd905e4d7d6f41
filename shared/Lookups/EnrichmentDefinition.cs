using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Filtering.Expressions;

namespace Lambda.Shared.Lookups;

/// <summary>
/// An <c>enrich:</c> entry of a source: which lookup it joins, with which key expressions (over the declared fields
/// and the event time), and the fields it adds (one per value column taken). The join happens per event, before the
/// derived fields, at the event's time, so both layers join the same row.
/// </summary>
public sealed class EnrichmentDefinition
{
    private readonly ValueNode[] _keys;
    private readonly bool[] _keyIsString;
    private readonly int[] _columns;
    private readonly int[] _ordinals;
    private readonly bool[] _isString;

    internal EnrichmentDefinition(int index, LookupDefinition lookup, IReadOnlyList<ValueNode> keys, IReadOnlyList<string> keyTexts, IReadOnlyList<FieldDefinition> fields, IReadOnlyList<int> rawInputs)
    {
        RawInputs = rawInputs;
        Index = index;
        Lookup = lookup;
        KeyExpressions = keyTexts;
        Fields = fields;
        _keys = keys.ToArray();
        _keyIsString = keys.Select(k => k.Type.Kind == FieldKind.String).ToArray();
        _columns = fields.Select(f => lookup.Values.ToList().FindIndex(c => c.Name == f.Name)).ToArray();
        _ordinals = fields.Select(f => f.Ordinal).ToArray();
        _isString = fields.Select(f => f.Type.Kind == FieldKind.String).ToArray();
    }

    /// <summary>Position among the source's enrichments.</summary>
    public int Index { get; }

    /// <summary>The lookup joined.</summary>
    public LookupDefinition Lookup { get; }

    /// <summary>The canonical text of each key expression, in the lookup's key-column order.</summary>
    public IReadOnlyList<string> KeyExpressions { get; }

    /// <summary>The fields the join adds (named after the value columns), in ordinal order.</summary>
    public IReadOnlyList<FieldDefinition> Fields { get; }

    /// <summary>The ordinals of the declared fields the key expressions read.</summary>
    internal IReadOnlyList<int> RawInputs { get; }

    /// <inheritdoc/>
    public override string ToString() => $"lookup({Lookup.Name}, {string.Join(", ", KeyExpressions)})";

    /// <summary>
    /// Joins the record with <paramref name="table"/> at its event time and sets the added fields (null when no row,
    /// or for a null cell). Returns false when no row was valid (no table, a null key, an unknown key, or an event
    /// time before the key's first <c>valid_from</c>).
    /// </summary>
    internal bool Apply(EventRecord record, LookupTable? table)
    {
        var row = table is null ? -1 : FindRow(record, table);
        for (var i = 0; i < _ordinals.Length; i++)
        {
            var ordinal = _ordinals[i];
            if (row < 0 || table!.IsNull(row, _columns[i]))
            {
                record.SetDerivedNull(ordinal);
            }
            else if (_isString[i])
            {
                record.SetDerivedUtf8(ordinal, table.Utf8(row, _columns[i]));
            }
            else
            {
                record.SetDerivedBits(ordinal, table.Bits(row, _columns[i]));
            }
        }

        return row >= 0;
    }

    private int FindRow(EventRecord record, LookupTable table)
    {
        const int StackLimit = 256;
        var length = 0;
        for (var k = 0; k < _keys.Length; k++)
        {
            if (_keyIsString[k])
            {
                if (!_keys[k].TryEvaluateUtf8(record, out var utf8))
                {
                    return -1;
                }

                length += 4 + utf8.Length;
            }
            else
            {
                length += LookupKey.FixedPartLength;
            }
        }

        // Evaluated twice (length, then bytes): key expressions are plain fields in practice, and this keeps the probe allocation-free.
        Span<byte> buffer = length <= StackLimit ? stackalloc byte[StackLimit] : new byte[length];
        var offset = 0;
        for (var k = 0; k < _keys.Length; k++)
        {
            if (_keyIsString[k])
            {
                _keys[k].TryEvaluateUtf8(record, out var utf8);
                offset = LookupKey.WriteString(buffer, offset, utf8);
            }
            else
            {
                if (!_keys[k].TryEvaluate(record, out var bits))
                {
                    return -1;
                }

                offset = LookupKey.WriteBits(buffer, offset, bits);
            }
        }

        return table.Find(buffer[..offset], record.RawTimestamp);
    }
}
