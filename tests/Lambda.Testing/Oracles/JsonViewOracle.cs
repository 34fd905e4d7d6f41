using System.Text.Json;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.Testing.Oracles;

/// <summary>
/// The expected content of one view, computed from the raw JSON events without the platform's kernel: events are
/// read with System.Text.Json, filtered by a predicate the test writes for the view's <c>where:</c>, bucketed by
/// plain arithmetic on epoch milliseconds and summed up by <see cref="OracleAccumulator"/>. Only the view's shape
/// (names, dimensions, measure kinds and fields, granularity) comes from the catalog, so a bug in parsing, filtering
/// or aggregating cannot hide behind itself. Dimension values are keyed by their canonical text (strings as they
/// are, decimals with the field's scale, doubles round-trip, bools <c>true</c>/<c>false</c>, null <see cref="NullText"/>). A derived
/// or enriched field (a lookup's column) is read from the event when the test wrote it in (its own join,
/// <see cref="OracleLookup"/>, and its own arithmetic), else computed by <see cref="DefaultCatalogDerivations"/>.
/// </summary>
public sealed class JsonViewOracle
{
    private readonly Func<JsonElement, bool> _where;
    private readonly long _bucketMs;
    private readonly Dictionary<(long Bucket, string Key), OracleRow> _groups = [];

    /// <summary>An empty oracle of <paramref name="view"/>.</summary>
    /// <param name="view">The view (its shape only).</param>
    /// <param name="where">The view's filter, written by the test over the raw event; <c>_ =&gt; true</c> for none.</param>
    public JsonViewOracle(ViewDefinition view, Func<JsonElement, bool> where)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(where);
        View = view;
        _where = where;
        _bucketMs = BucketMilliseconds(view.Granularity);
    }

    /// <summary>The canonical text of a null dimension value (the API answers JSON null).</summary>
    public const string NullText = "(null)";

    /// <summary>The view.</summary>
    public ViewDefinition View { get; }

    /// <summary>Events the filter let in.</summary>
    public long Matched { get; private set; }

    /// <summary>Adds one valid event (a UTF-8 JSON object).</summary>
    public void Add(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        Add(document.RootElement);
    }

    /// <summary>Adds one valid event.</summary>
    public void Add(JsonElement root)
    {
        if (!_where(root))
        {
            return;
        }

        Matched++;
        var time = OracleField.Milliseconds(root.GetProperty(View.Source.TimeField));
        var bucket = FloorTo(time, _bucketMs);
        var dimensions = View.Dimensions
            .Select(d => d.IsDerived && !root.TryGetProperty(d.Name, out _)
                ? DefaultCatalogDerivations.Canonical(d.Name, root)
                : root.GetProperty(d.Name) is { ValueKind: JsonValueKind.Null } ? NullText : OracleField.Canonical(root.GetProperty(d.Name), d.Type))
            .ToArray();
        var key = (bucket, string.Join('\u001f', dimensions));
        if (!_groups.TryGetValue(key, out var row))
        {
            row = new OracleRow(bucket, dimensions, View.Measures.Select(m => new OracleAccumulator(m.Kind, m.FieldType)).ToArray());
            _groups.Add(key, row);
        }

        foreach (var measure in View.Measures)
        {
            // A null argument (an enriched value without a lookup row) is skipped by the measure; count still counts the event.
            row.Measures[measure.Index].Add(measure.Field is null || root.GetProperty(measure.Field.Name) is { ValueKind: JsonValueKind.Null }
                ? null
                : root.GetProperty(measure.Field.Name));
        }
    }

    /// <summary>Every group at the view's own granularity, with all its dimensions.</summary>
    public IReadOnlyCollection<OracleRow> Groups => _groups.Values;

    /// <summary>
    /// The rows of a query: the groups with a bucket in [<paramref name="fromMs"/>, <paramref name="toMs"/>) that
    /// <paramref name="accept"/> lets through, projected on <paramref name="groupBy"/> (dimension indexes) and rolled up
    /// to buckets of <paramref name="rollUpMs"/> milliseconds (null: one bucket starting at <paramref name="fromMs"/>).
    /// </summary>
    public IReadOnlyList<OracleRow> Query(long fromMs, long toMs, long? rollUpMs, IReadOnlyList<int> groupBy, Func<IReadOnlyList<string>, bool> accept)
    {
        ArgumentNullException.ThrowIfNull(groupBy);
        ArgumentNullException.ThrowIfNull(accept);
        var rows = new Dictionary<(long, string), OracleRow>();
        foreach (var group in _groups.Values)
        {
            if (group.Bucket < fromMs || group.Bucket >= toMs || !accept(group.Dimensions))
            {
                continue;
            }

            var bucket = rollUpMs is { } width ? FloorTo(group.Bucket, width) : fromMs;
            var dimensions = groupBy.Select(d => group.Dimensions[d]).ToArray();
            var key = (bucket, string.Join('\u001f', dimensions));
            if (rows.TryGetValue(key, out var row))
            {
                for (var m = 0; m < row.Measures.Count; m++)
                {
                    row.Measures[m].Merge(group.Measures[m]);
                }
            }
            else
            {
                rows.Add(key, new OracleRow(bucket, dimensions, group.Measures.Select(a => a.Copy()).ToArray()));
            }
        }

        return rows.Values.ToList();
    }

    /// <summary>
    /// The rows of a sliding-window query: for every bucket b of <paramref name="rollUpMs"/> milliseconds in
    /// [<paramref name="fromMs"/>, <paramref name="toMs"/>), per group (projected on <paramref name="groupBy"/>, passing
    /// <paramref name="accept"/>), every group of the view whose bucket lies in the trailing window
    /// [b + rollUpMs - <paramref name="windowMs"/>, b + rollUpMs), merged; a group has a row where its window holds data.
    /// Brute force per row, with this oracle's own accumulators.
    /// </summary>
    public IReadOnlyList<OracleRow> QueryWindowed(
        long fromMs, long toMs, long rollUpMs, long windowMs, IReadOnlyList<int> groupBy, Func<IReadOnlyList<string>, bool> accept)
    {
        ArgumentNullException.ThrowIfNull(groupBy);
        ArgumentNullException.ThrowIfNull(accept);
        var byBucket = _groups.Values.Where(g => accept(g.Dimensions)).ToLookup(g => g.Bucket);
        var rows = new List<OracleRow>();
        for (var bucket = fromMs; bucket < toMs; bucket += rollUpMs)
        {
            var windowRows = new Dictionary<string, OracleRow>(StringComparer.Ordinal);
            for (var stored = bucket + rollUpMs - windowMs; stored < bucket + rollUpMs; stored += _bucketMs)
            {
                foreach (var group in byBucket[stored])
                {
                    var dimensions = groupBy.Select(d => group.Dimensions[d]).ToArray();
                    var key = string.Join('\u001f', dimensions);
                    if (windowRows.TryGetValue(key, out var row))
                    {
                        for (var m = 0; m < row.Measures.Count; m++)
                        {
                            row.Measures[m].Merge(group.Measures[m]);
                        }
                    }
                    else
                    {
                        windowRows.Add(key, new OracleRow(bucket, dimensions, group.Measures.Select(a => a.Copy()).ToArray()));
                    }
                }
            }

            rows.AddRange(windowRows.Values);
        }

        return rows;
    }

    /// <summary>
    /// Null when <paramref name="actual"/> holds exactly this oracle's groups at the view's granularity (every
    /// measure within <see cref="OracleAccumulator.Mismatch"/>), else the first difference.
    /// </summary>
    /// <param name="actual">Per group: bucket start (epoch ms), the dimension values' canonical text, the measures in the view's order.</param>
    public string? FindDifference(IEnumerable<(long Bucket, IReadOnlyList<string> Dimensions, IReadOnlyList<OracleActual> Measures)> actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        var seen = 0;
        foreach (var (bucket, dimensions, measures) in actual)
        {
            seen++;
            var key = (bucket, string.Join('\u001f', dimensions));
            var where = $"view {View.Name}: group {DateTimeOffset.FromUnixTimeMilliseconds(bucket):O} [{string.Join(", ", dimensions)}]";
            if (!_groups.TryGetValue(key, out var expected))
            {
                return $"{where} is not in the oracle";
            }

            foreach (var measure in View.Measures)
            {
                if (expected.Measures[measure.Index].Mismatch(measures[measure.Index]) is { } mismatch)
                {
                    return $"{where} measure {measure.Name} {mismatch}";
                }
            }
        }

        return seen == _groups.Count ? null : $"view {View.Name}: {seen} groups, the oracle has {_groups.Count}";
    }

    /// <summary>The width of a granularity's buckets; every one of them starts at a multiple of it since the epoch (UTC).</summary>
    public static long BucketMilliseconds(Granularity granularity) => granularity switch
    {
        Granularity.Minute => 60_000L,
        Granularity.Hour => 3_600_000L,
        Granularity.Day => 86_400_000L,
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "no fixed bucket width"),
    };

    private static long FloorTo(long milliseconds, long width) => milliseconds - (((milliseconds % width) + width) % width);
}
