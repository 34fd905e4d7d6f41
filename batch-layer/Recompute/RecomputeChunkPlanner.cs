namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Splits a run's planned work into chunks of one view and one day, ordered by day, source and view name: a worker claims
/// the claimable chunks of one source on consecutive claimable days together (they read the same files), and workers that start at once take
/// different days. Pure: the same plans give the same chunks in the same order, whatever worker plans them.
/// </summary>
internal static class RecomputeChunkPlanner
{
    public static IReadOnlyList<RecomputeChunk> Plan(IEnumerable<ViewPlan> plans)
    {
        ArgumentNullException.ThrowIfNull(plans);
        var pairs = plans
            .SelectMany(p => p.ComputeDays.Select(day => (View: p.View.Name, Source: p.View.Source.Name, Day: day)))
            .Distinct()
            .OrderBy(p => p.Day)
            .ThenBy(p => p.Source, StringComparer.Ordinal)
            .ThenBy(p => p.View, StringComparer.Ordinal)
            .ToArray();
        var chunks = new RecomputeChunk[pairs.Length];
        for (var i = 0; i < pairs.Length; i++)
        {
            chunks[i] = new RecomputeChunk(i, pairs[i].View, pairs[i].Source, pairs[i].Day);
        }

        return chunks;
    }
}
