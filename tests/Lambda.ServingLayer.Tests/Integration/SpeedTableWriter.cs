extern alias speedlayer;

using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;
using speedlayer::Lambda.SpeedLayer.Storage;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>Writes speed tables through the speed layer's own writer, as the speed layer does: one insert per flush of one partition.</summary>
internal sealed class SpeedTableWriter(ISpeedTableWriter store, ViewDefinition view)
{
    public Task CreateAsync() => store.EnsureSchemaAsync([view], CancellationToken.None);

    /// <summary>Aggregates the flush's events (all of one partition) and inserts its rows (or a marker row) in one insert.</summary>
    public Task FlushAsync(int partition, long first, long last, IEnumerable<OffsetEvent> events)
    {
        var aggregator = new ViewAggregator(view);
        foreach (var e in events)
        {
            aggregator.Add(e.Record);
        }

        return store.InsertAsync(view, [new SpeedPartitionDelta(partition, first, last, aggregator.Drain())], DateTime.UtcNow, CancellationToken.None);
    }
}
