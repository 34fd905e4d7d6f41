namespace Lambda.Shared.Measures;

/// <summary>The type of a measure's final value (<see cref="MeasureValue"/>).</summary>
public enum MeasureValueKind
{
    /// <summary>No value: min, max or avg of no events.</summary>
    Null = 0,

    /// <summary>A <see cref="long"/>: count, distinct, sum/min/max of a long field.</summary>
    Long = 1,

    /// <summary>A <see cref="double"/>: sum/min/max of a double field, avg of a long or double field.</summary>
    Double = 2,

    /// <summary>A <see cref="decimal"/>: sum/min/max/avg of a decimal field.</summary>
    Decimal = 3,

    /// <summary>A UTC instant: min/max of a timestamp field.</summary>
    Timestamp = 4,

    /// <summary>Estimated quantiles (<see cref="QuantileValue"/> doubles): quantiles of a long, double or decimal field.</summary>
    Quantiles = 5,
}
