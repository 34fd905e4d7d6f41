using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.ServingLayer.Querying;

/// <summary>One row of a query result.</summary>
/// <param name="BucketStartMilliseconds">Start of the row's bucket (UTC epoch ms); for granularity <c>all</c>, the range start.</param>
/// <param name="Dimensions">Values of the query's group-by dimensions, in the requested order.</param>
/// <param name="States">The merged measure states, in the view's measure order.</param>
public sealed record ResultRow(long BucketStartMilliseconds, IReadOnlyList<FieldValue> Dimensions, IReadOnlyList<MeasureState> States)
{
    private MeasureValue[]? _values;

    /// <summary>
    /// The finalised value of each state, computed on first use and kept: a shared answer is written many times,
    /// and a distinct count's estimate walks its whole sketch. (Two threads may both compute it; they agree.)
    /// </summary>
    public IReadOnlyList<MeasureValue> Values => _values ??= States.Select(s => s.GetValue()).ToArray();
}
