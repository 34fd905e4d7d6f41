namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Splits a run's planned work into chunks of one view and one day. Days first, then views by name, so that the first
/// chunks claimed (by every worker at once) read different days' files rather than the same files for several views.
/// Pure: the same plans give the same chunks in the same order, whatever worker plans them.
/// </summary>
internal static class RecomputeChunkPlanner
{
    public static IReadOnlyList<RecomputeChunk> Plan(IEnumerable<ViewPlan> plans)
    {
        ArgumentNullException.ThrowIfNull(plans);
        var pairs = plans
            .SelectMany(p => p.ComputeDays.Select(day => (View: p.View.Name, Day: day)))
            .Distinct()
            .OrderBy(p => p.Day)
            .ThenBy(p => p.View, StringComparer.Ordinal)
            .ToArray();
        var chunks = new RecomputeChunk[pairs.Length];
        for (var i = 0; i < pairs.Length; i++)
        {
            chunks[i] = new RecomputeChunk(i, pairs[i].View, pairs[i].Day);
        }

        return chunks;
    }
}
