using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.BatchLayer.Tests.Recompute;

/// <summary>What a batch view must hold: the events of its source with offset below the watermark of their partition.</summary>
internal static class ViewOracle
{
    public static IEnumerable<EventRecord> Below(IEnumerable<OrderMessage> messages, IReadOnlyDictionary<int, long> watermarks) =>
        messages.Where(m => m.Event is not null && m.Offset < (watermarks.TryGetValue(m.Partition, out var w) ? w : 0)).Select(m => m.Event!);

    /// <summary>The groups the shared aggregator builds from those events (in message order).</summary>
    public static ViewAggregator Aggregate(ViewDefinition view, IEnumerable<OrderMessage> messages, IReadOnlyDictionary<int, long> watermarks)
    {
        var aggregator = new ViewAggregator(view);
        foreach (var record in Below(messages, watermarks))
        {
            aggregator.Add(record);
        }

        return aggregator;
    }

    /// <summary>
    /// Checks every group and measure against a plain LINQ computation (not the aggregator): exact count,
    /// sum, min, max and average; distinct estimates within HyperLogLog's error of the exact distinct count.
    /// </summary>
    public static void AssertMatchesPlainComputation(ViewDefinition view, IEnumerable<OrderMessage> messages, IReadOnlyDictionary<int, long> watermarks, IReadOnlyList<ViewGroup> actual)
    {
        var expected = Below(messages, watermarks)
            .Where(view.Filter.Matches)
            .GroupBy(r => (Bucket: TimeBucket.Floor(r.TimestampMilliseconds, view.Granularity), Key: string.Join("|", view.Dimensions.Select(d => r.GetValue(d.Ordinal).ToCanonicalString()))))
            .ToDictionary(g => g.Key, g => g.ToArray());
        var byKey = actual.ToDictionary(g => (g.BucketStartMilliseconds, string.Join("|", g.Dimensions.Select(d => d.ToCanonicalString()))));
        Assert.Equal(expected.Count, byKey.Count);
        foreach (var ((bucket, key), events) in expected)
        {
            Assert.True(byKey.TryGetValue((bucket, key), out var group), $"view {view.Name}: group {TimeBucket.ToIso(bucket)} [{key}] is missing");
            foreach (var measure in view.Measures)
            {
                var value = group.GetValue(measure.Index);
                var field = measure.Field;
                switch (measure.Kind)
                {
                    case MeasureKind.Count:
                        Assert.Equal(events.Length, value.AsLong());
                        break;
                    case MeasureKind.Sum:
                        Assert.Equal(events.Sum(e => e.GetDecimal(field!.Ordinal)), value.AsDecimal());
                        break;
                    case MeasureKind.Max:
                        Assert.Equal(events.Max(e => e.GetDecimal(field!.Ordinal)), value.AsDecimal());
                        break;
                    case MeasureKind.Min:
                        Assert.Equal(events.Min(e => e.GetDecimal(field!.Ordinal)), value.AsDecimal());
                        break;
                    case MeasureKind.Avg:
                        var average = events.Sum(e => e.GetDecimal(field!.Ordinal)) / events.Length;
                        Assert.Equal(decimal.Round(average, field!.Type.Scale + ExactAvgState.ExtraScale, MidpointRounding.ToEven), value.AsDecimal());
                        break;
                    case MeasureKind.Distinct:
                        // Exactness of the sketch is asserted byte for byte against the shared aggregator elsewhere;
                        // this is a plain sanity bound. Tens of thousands of groups are checked per run, so the bound
                        // is ~6 standard errors of a 2^14-register HyperLogLog (1.04/128 = 0.81%), at least 4.
                        var exact = events.Select(e => e.GetValue(field!.Ordinal)).Distinct().Count();
                        var tolerance = Math.Max(4, exact * 5 / 100);
                        Assert.InRange(value.AsLong(), exact - tolerance, exact + tolerance);
                        break;
                }
            }
        }
    }
}
