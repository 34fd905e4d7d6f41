using Lambda.Shared.Aggregation;
using Lambda.Shared.Events;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// Which stored groups of a view a query needs: buckets in <see cref="Range"/> (aligned to the view's
/// granularity) whose dimension values pass every condition (values of one dimension are alternatives;
/// conditions on different dimensions must all hold). Stores may push it down.
/// </summary>
public sealed class ViewSelection
{
    /// <summary>Creates a selection.</summary>
    /// <exception cref="ArgumentException">Two conditions on the same dimension.</exception>
    public ViewSelection(TimeRange range, IReadOnlyList<DimensionCondition>? conditions = null)
    {
        Range = range;
        Conditions = conditions ?? [];
        if (Conditions.Select(c => c.Index).Distinct().Count() != Conditions.Count)
        {
            throw new ArgumentException("at most one condition per dimension", nameof(conditions));
        }
    }

    /// <summary>The half-open UTC range of bucket starts.</summary>
    public TimeRange Range { get; }

    /// <summary>The dimension conditions (all must hold).</summary>
    public IReadOnlyList<DimensionCondition> Conditions { get; }

    /// <summary>True when the group's bucket is in the range and its dimension values pass every condition.</summary>
    public bool Matches(ViewGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return Range.Contains(group.BucketStartMilliseconds) && MatchesDimensions(group.Dimensions);
    }

    /// <summary>True when the dimension values (in the view's dimension order) pass every condition.</summary>
    public bool MatchesDimensions(IReadOnlyList<FieldValue> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        foreach (var condition in Conditions)
        {
            if (!condition.Accepts(dimensions[condition.Index]))
            {
                return false;
            }
        }

        return true;
    }
}
