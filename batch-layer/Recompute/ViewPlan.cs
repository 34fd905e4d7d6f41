using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Recompute;

/// <summary>What one run does for one view: the new watermarks and the days to recompute.</summary>
internal sealed class ViewPlan
{
    public required ViewDefinition View { get; init; }

    /// <summary>The published entry of the same definition version, whose untouched days are carried over; null if none.</summary>
    public required BatchViewEntry? Previous { get; init; }

    /// <summary>A published entry of another definition version, which this run replaces; null if none.</summary>
    public required BatchViewEntry? Replaced { get; init; }

    /// <summary>The new watermark S_p per partition (exclusive).</summary>
    public required IReadOnlyDictionary<int, long> Watermarks { get; init; }

    /// <summary>The days recomputed from the master dataset.</summary>
    public required SortedSet<DateOnly> ComputeDays { get; init; }

    /// <summary>How many of <see cref="ComputeDays"/> are redone because a lookup version joins them differently (<see cref="LookupRedo"/>).</summary>
    public int LookupRedoDays { get; set; }

    /// <summary>True when some watermark differs from the previous entry's.</summary>
    public bool WatermarksChanged =>
        Previous is null
            ? Watermarks.Values.Any(w => w > 0)
            : Watermarks.Any(w => w.Value != Previous.GetWatermark(w.Key)) || Previous.Watermarks.Any(w => w.Value != GetWatermark(w.Key));

    /// <summary>True when the run must publish something new for this view.</summary>
    public bool HasWork => ComputeDays.Count > 0 || WatermarksChanged || Replaced is not null || LookupsChanged;

    /// <summary>True when the run joins another lookup version than the previous one (recorded even when no day changes).</summary>
    public bool LookupsChanged { get; set; }

    /// <summary>The new watermark of <paramref name="partition"/> (0 when absent).</summary>
    public long GetWatermark(int partition) => Watermarks.TryGetValue(partition, out var w) ? w : 0;
}
