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
    /// The finalised value of each state, computed on first use and kept: a refresh reuses the rows no new flush touched,
    /// and a distinct count's estimate walks its whole sketch. (Two threads may both compute it; they agree.)
    /// </summary>
    public IReadOnlyList<MeasureValue> Values => _values ??= Finalise(States);

    /// <summary>
    /// The finalised value of state <paramref name="measure"/>: from <see cref="Values"/> when a state of the row is
    /// costly to finalise (<see cref="MeasureState.IsCostlyToFinalise"/>), otherwise computed without keeping it, so a
    /// large answer of cheap states holds no second copy of its values.
    /// </summary>
    public MeasureValue ValueAt(int measure)
    {
        if (_values is { } values)
        {
            return values[measure];
        }

        return AnyCostlyToFinalise(States) ? Values[measure] : States[measure].GetValue();
    }

    /// <summary>Whether one of <paramref name="states"/> is costly to finalise (<see cref="MeasureState.IsCostlyToFinalise"/>).</summary>
    internal static bool AnyCostlyToFinalise(IReadOnlyList<MeasureState> states)
    {
        for (var m = 0; m < states.Count; m++)
        {
            if (states[m].IsCostlyToFinalise)
            {
                return true;
            }
        }

        return false;
    }

    private static MeasureValue[] Finalise(IReadOnlyList<MeasureState> states)
    {
        var values = new MeasureValue[states.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = states[i].GetValue();
        }

        return values;
    }
}
