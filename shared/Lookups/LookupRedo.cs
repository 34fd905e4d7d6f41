using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;

namespace Lambda.Shared.Lookups;

/// <summary>
/// Which published days of a view a back-dated lookup publish makes stale: the days, at or below the watermark, from
/// the earliest event time at which the versions the view was computed with (<see cref="BatchViewEntry.Lookups"/>) and
/// the current versions join differently (<see cref="LookupChanges"/>). The recompute planner redoes them; the batch
/// status endpoint reports them before that.
/// </summary>
public static class LookupRedo
{
    /// <summary>The published days of <paramref name="published"/> that joining <paramref name="current"/> would change, in order.</summary>
    public static async Task<IReadOnlyList<DateOnly>> DaysAsync(
        ViewDefinition view, BatchViewEntry published, LookupSnapshot current, ILookupReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reader);
        long? since = null;
        foreach (var enrichment in view.Enrichments)
        {
            var lookup = enrichment.Lookup;
            var recorded = published.Lookups is { } versions && versions.TryGetValue(lookup.Name, out var v) ? v : 0;
            current.TryGet(lookup.Name, out var now);
            if (recorded == (now?.Version ?? 0))
            {
                continue;
            }

            var before = recorded == 0 ? null : await reader.ReadVersionAsync(lookup, recorded, cancellationToken).ConfigureAwait(false);
            if (LookupChanges.EarliestDifference(before, now) is { } changed && (since is null || changed < since))
            {
                since = changed;
            }
        }

        if (since is null)
        {
            return [];
        }

        var first = since == long.MinValue ? DateOnly.MinValue : DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(since.Value).UtcDateTime);
        return published.Days.Select(d => d.Day).Where(d => d >= first).Order().ToArray();
    }

    /// <summary>True when <paramref name="current"/> holds another version of a lookup the view joins than it was computed with.</summary>
    public static bool VersionsDiffer(ViewDefinition view, BatchViewEntry published, LookupSnapshot current)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(current);
        return view.Enrichments.Any(e =>
            (published.Lookups is { } versions && versions.TryGetValue(e.Lookup.Name, out var v) ? v : 0)
            != (current.TryGet(e.Lookup.Name, out var t) ? t.Version : 0));
    }
}
