using Lambda.Shared.BatchViews;
using Lambda.Shared.Lookups;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// The finalize step of a run: from the published manifest, the plans and the finished chunks, the manifest to publish
/// (one publish for the whole run). Views of the catalog that the run did not touch and days a plan does not recompute
/// are carried over; a recomputed day without a file (no group on it) is left out; views no longer in the catalog are dropped.
/// </summary>
internal static class RecomputeFinalizer
{
    /// <summary>The finished chunks as recomputed days (those that wrote a file), in chunk order.</summary>
    /// <exception cref="InvalidOperationException">A chunk is missing or unknown: the run is not complete.</exception>
    public static IReadOnlyList<RecomputedDay> Days(IReadOnlyList<RecomputeChunk> chunks, IReadOnlyList<ChunkOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(outcomes);
        var byNumber = outcomes.ToDictionary(o => o.Number);
        if (byNumber.Count != chunks.Count || chunks.Any(c => !byNumber.ContainsKey(c.Number)))
        {
            throw new InvalidOperationException(
                $"the run has {chunks.Count} chunks but {byNumber.Count} outcomes (missing: {string.Join(", ", chunks.Where(c => !byNumber.ContainsKey(c.Number)).Select(c => c.Number))})");
        }

        return chunks
            .Select(c => (Chunk: c, Outcome: byNumber[c.Number]))
            .Where(p => p.Outcome.File is not null)
            .Select(p => new RecomputedDay(p.Chunk.View, p.Chunk.Day, p.Outcome.Rows, p.Outcome.File!))
            .ToArray();
    }

    public static BatchManifest BuildManifest(
        BatchManifest? published,
        IReadOnlyList<ViewPlan> plans,
        IReadOnlyList<RecomputedDay> recomputed,
        IReadOnlyCollection<string> dropped,
        string runId,
        LookupSnapshot lookups,
        DateTimeOffset now)
    {
        var entries = new SortedDictionary<string, BatchViewEntry>(StringComparer.Ordinal);
        foreach (var (name, entry) in published?.Views ?? new Dictionary<string, BatchViewEntry>())
        {
            if (!dropped.Contains(name))
            {
                entries[name] = entry;
            }
        }

        foreach (var plan in plans.Where(p => p.HasWork))
        {
            var days = new SortedDictionary<DateOnly, BatchViewDay>();
            foreach (var day in plan.Previous?.Days ?? [])
            {
                if (!plan.ComputeDays.Contains(day.Day))
                {
                    days[day.Day] = day;
                }
            }

            foreach (var day in recomputed.Where(r => string.Equals(r.View, plan.View.Name, StringComparison.Ordinal)))
            {
                days[day.Day] = new BatchViewDay(day.Day, day.File, day.Rows, runId);
            }

            entries[plan.View.Name] = new BatchViewEntry
            {
                View = plan.View.Name,
                Source = plan.View.Source.Name,
                DefinitionHash = plan.View.DefinitionHash,
                RunId = runId,
                ComputedAt = now,
                Watermarks = new SortedDictionary<int, long>(plan.Watermarks.ToDictionary()),
                Days = days.Values.ToArray(),
                Lookups = plan.View.Enrichments.Count == 0
                    ? null
                    : plan.View.Enrichments.ToDictionary(e => e.Lookup.Name, e => lookups.TryGet(e.Lookup.Name, out var t) ? t.Version : 0, StringComparer.Ordinal),
            };
        }

        return new BatchManifest { RunId = runId, PublishedAt = now, Views = entries };
    }
}
