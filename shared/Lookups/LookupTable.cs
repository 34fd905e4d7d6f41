using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;

namespace Lambda.Shared.Lookups;

/// <summary>
/// One published version of a lookup: its rows, indexed for the join. An event joins, for its key, the row with the
/// greatest <c>valid_from</c> at or before its event time (the only row of an unversioned lookup). Immutable and
/// thread-safe; probing allocates nothing.
/// </summary>
public sealed class LookupTable
{
    private readonly Dictionary<byte[], Entry> _index;
    private readonly Dictionary<byte[], Entry>.AlternateLookup<ReadOnlySpan<byte>> _probe;
    private readonly long[][] _bits;
    private readonly byte[]?[][] _utf8;
    private readonly bool[][] _isNull;

    /// <summary>Indexes <paramref name="rows"/> as version <paramref name="version"/> of <paramref name="definition"/>.</summary>
    /// <exception cref="ArgumentException">A row does not fit the definition, or two rows share a key and <c>valid_from</c>.</exception>
    public LookupTable(LookupDefinition definition, long version, DateTimeOffset publishedAt, IReadOnlyList<LookupRow> rows)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(rows);
        Definition = definition;
        Version = version;
        PublishedAt = publishedAt;
        Rows = rows;
        _bits = new long[rows.Count][];
        _utf8 = new byte[]?[rows.Count][];
        _isNull = new bool[rows.Count][];
        var grouped = new Dictionary<byte[], List<(long From, int Row)>>(Utf8KeyComparer.Instance);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Keys.Count != definition.Keys.Count || row.Values.Count != definition.Values.Count
                || (row.ValidFromMilliseconds is null) != (definition.Versioning == LookupVersioning.None)
                || row.Keys.Where((k, i) => k.IsNull || k.Type != definition.Keys[i].Type).Any()
                || row.Values.Where((v, i) => v.Type != definition.Values[i].Type).Any())
            {
                throw new ArgumentException($"row {r + 1} does not fit lookup '{definition.Name}' ({definition.CanonicalForm})", nameof(rows));
            }

            _bits[r] = row.Values.Select(v => v.IsNull ? 0 : v.RawBits).ToArray();
            _utf8[r] = row.Values.Select(v => v.Type.Kind == FieldKind.String && !v.IsNull ? System.Text.Encoding.UTF8.GetBytes(v.AsString()) : null).ToArray();
            _isNull[r] = row.Values.Select(v => v.IsNull).ToArray();
            var key = LookupKey.Encode(row.Keys);
            if (!grouped.TryGetValue(key, out var list))
            {
                grouped.Add(key, list = []);
            }

            list.Add((row.ValidFromMilliseconds ?? long.MinValue, r));
        }

        _index = new Dictionary<byte[], Entry>(Utf8KeyComparer.Instance);
        foreach (var (key, list) in grouped)
        {
            list.Sort((a, b) => a.From.CompareTo(b.From));
            for (var i = 1; i < list.Count; i++)
            {
                if (list[i].From == list[i - 1].From)
                {
                    throw new ArgumentException(
                        $"rows {list[i - 1].Row + 1} and {list[i].Row + 1} of lookup '{definition.Name}' have the same key"
                        + (definition.Versioning == LookupVersioning.None ? string.Empty : " and valid_from"), nameof(rows));
                }
            }

            _index.Add(key, new Entry(list.Select(e => e.From).ToArray(), list.Select(e => e.Row).ToArray()));
        }

        _probe = _index.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The lookup's definition (from the catalog the table was read with).</summary>
    public LookupDefinition Definition { get; }

    /// <summary>The version number (1, 2, ...): every publish makes the next one.</summary>
    public long Version { get; }

    /// <summary>When the version was published (UTC).</summary>
    public DateTimeOffset PublishedAt { get; }

    /// <summary>The rows as published.</summary>
    public IReadOnlyList<LookupRow> Rows { get; }

    /// <summary>The row valid for <paramref name="key"/> (see <see cref="LookupKey"/>) at <paramref name="eventTimeMilliseconds"/>, or -1.</summary>
    internal int Find(ReadOnlySpan<byte> key, long eventTimeMilliseconds)
    {
        if (!_probe.TryGetValue(key, out var entry))
        {
            return -1;
        }

        var from = entry.ValidFrom;
        if (from.Length == 1)
        {
            return from[0] <= eventTimeMilliseconds ? entry.Rows[0] : -1;
        }

        var i = Array.BinarySearch(from, eventTimeMilliseconds);
        if (i < 0)
        {
            // The complement is the first greater element: the one before it is the greatest at or before the event time.
            i = ~i - 1;
        }

        return i < 0 ? -1 : entry.Rows[i];
    }

    /// <summary>True when value column <paramref name="column"/> of row <paramref name="row"/> is null.</summary>
    internal bool IsNull(int row, int column) => _isNull[row][column];

    /// <summary>The raw bits of a non-string value.</summary>
    internal long Bits(int row, int column) => _bits[row][column];

    /// <summary>The UTF-8 bytes of a string value.</summary>
    internal ReadOnlySpan<byte> Utf8(int row, int column) => _utf8[row][column];

    /// <inheritdoc/>
    public override string ToString() => $"lookup {Definition.Name} v{Version} ({Rows.Count} rows)";

    private sealed record Entry(long[] ValidFrom, int[] Rows);
}
