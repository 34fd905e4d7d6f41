using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Testing.Oracles;

namespace Lambda.BatchLayer.Tests.Recompute;

/// <summary>What a batch view must hold: the events of its source with offset below the watermark of their partition.</summary>
internal static class ViewOracle
{
    public static IEnumerable<EventRecord> Below(IEnumerable<OrderMessage> messages, IReadOnlyDictionary<int, long> watermarks) =>
        messages.Where(m => m.Event is not null && m.Offset < (watermarks.TryGetValue(m.Partition, out var w) ? w : 0)).Select(m => m.Event!);

    /// <summary>
    /// The groups the shared aggregator builds from those events (in message order): not an oracle but the check that
    /// batch states are byte for byte the ones the speed layer's aggregator builds (distinct sketches included).
    /// </summary>
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
    /// Checks every group and measure against the oracle the test computes from the raw JSON of the valid messages
    /// below the watermarks (<see cref="JsonViewOracle"/>, the default catalog's filters written out), not with the
    /// platform's parser, filter or aggregator: exact count, sum, min, max and average; distinct estimates within
    /// HyperLogLog's error of the exact distinct count.
    /// </summary>
    public static void AssertMatchesPlainComputation(ViewDefinition view, IEnumerable<OrderMessage> messages, IReadOnlyDictionary<int, long> watermarks, IReadOnlyList<ViewGroup> actual)
    {
        var oracle = new JsonViewOracle(view, DefaultCatalogFilters.Where(view.Name));
        foreach (var message in messages.Where(m => m.Event is not null && m.Offset < (watermarks.TryGetValue(m.Partition, out var w) ? w : 0)))
        {
            oracle.Add(message.Json);
        }

        var difference = oracle.FindDifference(actual.Select(g => (
            g.BucketStartMilliseconds,
            (IReadOnlyList<string>)g.Dimensions.Select(d => d.ToCanonicalString()).ToArray(),
            (IReadOnlyList<OracleActual>)view.Measures.Select(m => OracleActual.FromMeasureValue(g.GetValue(m.Index))).ToArray())));
        Assert.True(difference is null, difference);
    }
}
