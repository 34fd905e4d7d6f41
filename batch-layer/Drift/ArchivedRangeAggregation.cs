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
    /// <summary>
    /// The groups of each of <paramref name="views"/> (all of one source) over the archived events in
    /// <paramref name="ranges"/>, in the order given, and the number of events read: the files are read once for all of
    /// them, each row filled once and added to every view's aggregator (each applies its own filter).
    /// </summary>
    public static async Task<(IReadOnlyList<IReadOnlyList<ViewGroup>> Groups, long Events)> AggregateAsync(
        MasterDatasetSnapshot snapshot, IReadOnlyList<ViewDefinition> views, IReadOnlyDictionary<int, SpeedOffsetRange> ranges, LookupSnapshot lookups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(lookups);
        if (views.Count == 0 || views.Any(v => !ReferenceEquals(v.Source, views[0].Source)))
        {
            throw new ArgumentException("the views aggregated together must be of one source", nameof(views));
        }

        var source = views[0].Source;
        var schema = new MasterFileSchema(source);
        // Derived fields are never archived: the views' derived values are computed from the declared fields they read.
        var fields = views.SelectMany(v => v.RawInputFields).Distinct().OrderBy(f => f.Ordinal).ToArray();
        var batch = new MasterRowBatch(schema, fields) { LoadPositions = true };
        var record = new EventRecord(source) { Lookups = lookups };
        var aggregators = views.Select(v => new ViewAggregator(v)).ToArray();
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
                            foreach (var aggregator in aggregators)
                            {
                                aggregator.Add(record);
                            }

                            events++;
                        }
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }

        return (aggregators.Select(a => a.Drain()).ToArray(), events);
    }
}
