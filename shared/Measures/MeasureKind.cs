namespace Lambda.Shared.Measures;

/// <summary>The aggregations a view measure can use. Each is a commutative monoid over its state.</summary>
public enum MeasureKind
{
    /// <summary><c>count</c>: number of events (exact, <see cref="long"/>).</summary>
    Count = 1,

    /// <summary><c>sum(f)</c>: exact for long and decimal fields, IEEE double for double fields.</summary>
    Sum = 2,

    /// <summary><c>min(f)</c>: smallest value; empty (null) when no event was added.</summary>
    Min = 3,

    /// <summary><c>max(f)</c>: largest value; empty (null) when no event was added.</summary>
    Max = 4,

    /// <summary><c>avg(f)</c>: kept as sum and count; the value is sum / count (null when empty).</summary>
    Avg = 5,

    /// <summary><c>distinct(f)</c>: approximate distinct count (HyperLogLog, 2^14 registers).</summary>
    Distinct = 6,

    /// <summary><c>quantiles(f)</c>: estimated quantiles within 1 % relative error (<see cref="DDSketch"/>).</summary>
    Quantiles = 7,
}
