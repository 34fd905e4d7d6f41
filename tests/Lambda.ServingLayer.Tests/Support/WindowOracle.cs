using Lambda.ServingLayer.Querying;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>
/// The expected rows of a sliding-window query, brute force from the raw events: for every bucket of the range and
/// every group, the events of the bucket's trailing window are added one by one into fresh states through each
/// state's public <c>Add</c> (no merge, no accumulator, no sliding), so a windowed answer merged from stored buckets
/// must be byte-identical to it, distinct-count sketches and quantile sketches included.
/// </summary>
internal static class WindowOracle
{
    /// <summary>One expected row: bucket start, the group-by dimensions' values, one state per measure.</summary>
    public sealed record Row(long Bucket, FieldValue[] Dimensions, MeasureState[] States)
    {
        public string Key => $"{Bucket}|{string.Join("|", Dimensions.Select(d => d.ToCanonicalString()))}";
    }

    /// <param name="view">The view (shape only).</param>
    /// <param name="events">Every event sent, in any order, late ones included.</param>
    /// <param name="where">The view's filter, written out by the test.</param>
    /// <param name="fromMs">First row bucket.</param>
    /// <param name="toMs">End of the last row bucket.</param>
    /// <param name="widthMs">Row bucket width.</param>
    /// <param name="windowMs">Window length.</param>
    /// <param name="groupBy">Dimension indexes of the rows.</param>
    public static IReadOnlyList<Row> Rows(
        ViewDefinition view, IEnumerable<EventRecord> events, Func<EventRecord, bool> where, long fromMs, long toMs, long widthMs, long windowMs, IReadOnlyList<int> groupBy)
    {
        var kept = events.Where(where).ToArray();
        var rows = new List<Row>();
        for (var bucket = fromMs; bucket < toMs; bucket += widthMs)
        {
            var (start, end) = (bucket + widthMs - windowMs, bucket + widthMs);
            var groups = new Dictionary<string, Row>(StringComparer.Ordinal);
            foreach (var e in kept.Where(e => e.TimestampMilliseconds >= start && e.TimestampMilliseconds < end))
            {
                var dimensions = groupBy.Select(d => e.GetValue(view.Dimensions[d].Ordinal)).ToArray();
                var row = new Row(bucket, dimensions, []);
                if (!groups.TryGetValue(row.Key, out var existing))
                {
                    existing = row with { States = view.Measures.Select(m => MeasureState.Create(m.Kind, m.FieldType)).ToArray() };
                    groups.Add(row.Key, existing);
                }

                foreach (var measure in view.Measures)
                {
                    Add(existing.States[measure.Index], measure.Field is null ? null : e.GetValue(measure.Field.Ordinal));
                }
            }

            rows.AddRange(groups.Values);
        }

        return rows;
    }

    /// <summary>Asserts that <paramref name="actual"/> holds exactly <paramref name="expected"/>, byte for byte, ordered by bucket.</summary>
    public static void Equal(IReadOnlyList<Row> expected, IReadOnlyList<ResultRow> actual)
    {
        var want = expected.ToDictionary(r => r.Key, StringComparer.Ordinal);
        Assert.True(want.Count == actual.Count, $"{actual.Count} rows, the oracle has {want.Count}: [{string.Join(", ", actual.Select(KeyOf))}] vs [{string.Join(", ", want.Keys)}]");
        Assert.Equal(actual.Select(r => r.BucketStartMilliseconds).Order(), actual.Select(r => r.BucketStartMilliseconds));
        foreach (var row in actual)
        {
            Assert.True(want.TryGetValue(KeyOf(row), out var expectedRow), $"row {KeyOf(row)} is not in the oracle");
            for (var m = 0; m < expectedRow.States.Length; m++)
            {
                Assert.True(
                    expectedRow.States[m].ToBytes().AsSpan().SequenceEqual(row.States[m].ToBytes()),
                    $"row {KeyOf(row)} measure {m}: expected {expectedRow.States[m]}, got {row.States[m]}");
            }
        }
    }

    private static string KeyOf(ResultRow row) => $"{row.BucketStartMilliseconds}|{string.Join("|", row.Dimensions.Select(d => d.ToCanonicalString()))}";

    private static void Add(MeasureState state, FieldValue? value)
    {
        switch (state)
        {
            case CountState count:
                count.Add();
                break;
            case ExactSumState sum:
                sum.Add(value!.Value.RawBits);
                break;
            case ExactExtremumState extremum:
                extremum.Add(value!.Value.RawBits);
                break;
            case ExactAvgState avg:
                avg.Add(value!.Value.RawBits);
                break;
            case DistinctState distinct:
                distinct.Add(value!.Value);
                break;
            case QuantilesState quantiles:
                quantiles.Add(value!.Value);
                break;
            default:
                throw new NotSupportedException($"the oracle adds no {state.GetType().Name} (the test views have no double fields)");
        }
    }
}
