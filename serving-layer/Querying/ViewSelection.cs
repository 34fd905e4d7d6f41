using Lambda.Shared.Aggregation;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// Which stored groups of a view a query needs: buckets in <see cref="Range"/> (aligned to the view's granularity)
/// whose dimension values pass <see cref="Filter"/>. The read ports apply both, once, where they prune.
/// </summary>
/// <param name="Range">The half-open UTC range of bucket starts.</param>
/// <param name="Filter">The dimension filter; <see cref="DimensionFilter.None"/> keeps every group.</param>
public sealed record ViewSelection(TimeRange Range, DimensionFilter Filter)
{
    /// <summary>Every group whose bucket starts in <paramref name="range"/>.</summary>
    public ViewSelection(TimeRange range)
        : this(range, DimensionFilter.None)
    {
    }

    /// <summary>True when the group's bucket is in the range and its dimension values pass the filter.</summary>
    public bool Matches(ViewGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return Range.Contains(group.BucketStartMilliseconds) && Filter.Matches(group.Dimensions);
    }
}
