using System.Globalization;

namespace Lambda.Shared.Measures;

/// <summary>One estimated quantile of a <c>quantiles(f)</c> measure.</summary>
/// <param name="Quantile">The quantile asked for, within [0, 1] (0.5 = median).</param>
/// <param name="Value">The estimate (within 1 % of the exact value, see <see cref="DDSketch"/>).</param>
public readonly record struct QuantileValue(double Quantile, double Value)
{
    /// <summary>The quantiles every answer holds unless others are asked for: p50, p90, p95, p99.</summary>
    public static IReadOnlyList<double> Defaults { get; } = [0.5, 0.9, 0.95, 0.99];

    /// <summary>The name of the quantile as a percentile: <c>p50</c>, <c>p99</c>, <c>p99.9</c>.</summary>
    public string Label => LabelOf(Quantile);

    /// <summary>The percentile name of <paramref name="quantile"/>, e.g. <c>p99.9</c> for 0.999.</summary>
    public static string LabelOf(double quantile) =>
        "p" + Math.Round(quantile * 100, 10).ToString("0.##########", CultureInfo.InvariantCulture);

    /// <summary><c>p50=12.5</c>.</summary>
    public override string ToString() => Label + "=" + Value.ToString("R", CultureInfo.InvariantCulture);
}
