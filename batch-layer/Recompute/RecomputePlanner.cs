using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Decides, per view, the new watermarks and the days a run recomputes (docs/design-notes.md, "Batch views, the manifest and the recompute"):
/// <list type="bullet">
/// <item>S'_p = the largest flush boundary of the view that is &lt;= the archive's committed end of p, never
/// below the published S_p (a published watermark stays legal), 0 when there is none;</item>
/// <item>dirty days = the event days of archived events with offsets in [S_p, S'_p) of some partition (found from
/// the days the commit records list per file, reading offsets only where a day's rows straddle a watermark);</item>
/// <item>incremental runs recompute the dirty days; full runs (and views without a published entry of the
/// same definition) every day holding an event below S'_p; backfills the requested days that hold such
/// events, plus the dirty days (otherwise those would not match the new watermarks).</item>
/// </list>
/// Every other published day is carried over: its events below S'_p are exactly its events below S_p.
/// </summary>
internal static class RecomputePlanner
{
    public static async Task<ViewPlan> PlanAsync(
        ViewDefinition view,
        MasterDatasetSnapshot snapshot,
        MasterFileSchema schema,
        BatchViewEntry? published,
        RecomputeRequest request,
        IReadOnlyDictionary<int, long> highest,
        CancellationToken cancellationToken)
    {
        var previous = published is not null && string.Equals(published.DefinitionHash, view.DefinitionHash, StringComparison.Ordinal) ? published : null;
        var replaced = published is not null && previous is null ? published : null;
        var ends = snapshot.CommittedEnds;
        var watermarks = new SortedDictionary<int, long>();
        foreach (var partition in ends.Keys.Union(previous?.Watermarks.Keys ?? []))
        {
            var end = snapshot.GetCommittedEnd(partition);
            var old = previous?.GetWatermark(partition) ?? 0;
            if (old > end)
            {
                throw new InvalidDataException(
                    $"view '{view.Name}': the published watermark of partition {partition} is {old}, but the master dataset of source '{snapshot.Source}' ends at {end}; "
                    + "the master dataset lost data it had (recompute after restoring it, or remove the manifest to start over)");
            }

            var boundary = highest.TryGetValue(partition, out var b) ? b : 0;
            if (boundary > end)
            {
                throw new InvalidOperationException($"view '{view.Name}': the flush boundary source returned {boundary} for partition {partition}, above the limit {end}");
            }

            watermarks[partition] = Math.Max(old, boundary);
        }

        var days = new SortedSet<DateOnly>();
        if (previous is null || request.Mode == RecomputeMode.Full)
        {
            AddDaysBelow(snapshot, watermarks, days, _ => true);
        }
        else
        {
            await AddDirtyDaysAsync(snapshot, schema, previous, watermarks, days, cancellationToken).ConfigureAwait(false);
            if (request.Mode == RecomputeMode.Backfill)
            {
                var from = request.From!.Value;
                var to = request.To!.Value;
                AddDaysBelow(snapshot, watermarks, days, day => day >= from && day <= to);
            }
        }

        return new ViewPlan
        {
            View = view,
            Previous = previous,
            Replaced = replaced,
            Watermarks = watermarks,
            ComputeDays = days,
        };
    }

    // Exact from the commit log: a day of a file whose smallest offset lies below the watermark holds an event below it.
    private static void AddDaysBelow(MasterDatasetSnapshot snapshot, IReadOnlyDictionary<int, long> watermarks, SortedSet<DateOnly> days, Func<DateOnly, bool> include)
    {
        foreach (var file in snapshot.Files)
        {
            foreach (var day in file.EventDays)
            {
                if (day.MinOffset < Get(watermarks, file.Partition) && include(day.Date))
                {
                    days.Add(day.Date);
                }
            }
        }
    }

    private static async Task AddDirtyDaysAsync(
        MasterDatasetSnapshot snapshot,
        MasterFileSchema schema,
        BatchViewEntry previous,
        IReadOnlyDictionary<int, long> watermarks,
        SortedSet<DateOnly> days,
        CancellationToken cancellationToken)
    {
        MasterRowBatch? offsetsOnly = null;
        foreach (var file in snapshot.Files)
        {
            var from = previous.GetWatermark(file.Partition);
            var to = Get(watermarks, file.Partition);
            if (from >= to || file.MaxOffset < from || file.MinOffset >= to)
            {
                continue;
            }

            var straddling = new HashSet<DateOnly>();
            foreach (var day in file.EventDays)
            {
                if (days.Contains(day.Date) || day.MaxOffset < from || day.MinOffset >= to)
                {
                    continue;
                }

                if (day.MinOffset >= from && day.MaxOffset < to)
                {
                    days.Add(day.Date);
                }
                else
                {
                    straddling.Add(day.Date);
                }
            }

            if (straddling.Count == 0)
            {
                continue;
            }

            // Some day's rows straddle a watermark: only their offsets tell whether one falls in [from, to).
            offsetsOnly ??= new MasterRowBatch(schema, []);
            await MasterFileReader.ReadAsync(snapshot.GetPath(file), offsetsOnly, batch =>
            {
                var offsets = batch.Offsets;
                var times = batch.EventTimes;
                for (var i = 0; i < batch.Count; i++)
                {
                    if (offsets[i] >= from && offsets[i] < to)
                    {
                        var day = UtcDay.Of(times[i]);
                        if (straddling.Remove(day))
                        {
                            days.Add(day);
                        }
                    }
                }
            }, cancellationToken, (min, max) => straddling.Any(d => UtcDay.Overlaps(d, min, max))).ConfigureAwait(false);
        }
    }

    private static long Get(IReadOnlyDictionary<int, long> watermarks, int partition) => watermarks.TryGetValue(partition, out var w) ? w : 0;
}
