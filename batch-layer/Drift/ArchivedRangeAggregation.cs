using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Lookups;
using Lambda.Shared.SpeedViews;

namespace Lambda.BatchLayer.Drift;

/// <summary>
/// The batch kernel over exactly the archived events of some offset ranges: every master-dataset row of partition p
/// whose stored offset (a position: epoch in the high bits, see the README's "Offset epochs") lies in [from_p, to_p),
/// aggregated with the shared <see cref="ViewAggregator"/> the recompute uses, joined with the lookup versions the
/// published view was computed with (as the recompute joins them). Only files whose offsets overlap a range are opened;
/// rows are read in row-group batches.
/// </summary>
internal static class ArchivedRangeAggregation
{
    /// <summary>The view's groups over the archived events in <paramref name="ranges"/>, and the number of events aggregated.</summary>
    public static async Task<(IReadOnlyList<ViewGroup> Groups, long Events)> AggregateAsync(
        MasterDatasetSnapshot snapshot, ViewDefinition view, IReadOnlyDictionary<int, SpeedOffsetRange> ranges, LookupSnapshot lookups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookups);
        var schema = new MasterFileSchema(view.Source);
        var batch = new MasterRowBatch(schema, view.RawInputFields) { LoadPositions = true };
        var record = new EventRecord(view.Source) { Lookups = lookups };
        var aggregator = new ViewAggregator(view);
        long events = 0;
        foreach (var file in snapshot.Files)
        {
            if (!ranges.TryGetValue(file.Partition, out var range) || range.IsEmpty || file.MaxOffset < range.From || file.MinOffset >= range.To)
            {
                continue;
            }

            await MasterFileReader.ReadAsync(
                snapshot.GetPath(file),
                batch,
                rows =>
                {
                    var offsets = rows.Offsets;
                    for (var i = 0; i < rows.Count; i++)
                    {
                        if (offsets[i] >= range.From && offsets[i] < range.To)
                        {
                            rows.Fill(i, record);
                            aggregator.Add(record);
                            events++;
                        }
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }

        return (aggregator.Drain(), events);
    }
}
