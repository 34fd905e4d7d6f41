using System.Diagnostics.CodeAnalysis;

namespace Lambda.Shared.Measures;

/// <summary>Catalog names of <see cref="MeasureKind"/>.</summary>
public static class MeasureKindExtensions
{
    /// <summary>The catalog function name: <c>count</c>, <c>sum</c>, <c>min</c>, <c>max</c>, <c>avg</c>, <c>distinct</c>, <c>quantiles</c>.</summary>
    public static string ToName(this MeasureKind kind) => kind switch
    {
        MeasureKind.Count => "count",
        MeasureKind.Sum => "sum",
        MeasureKind.Min => "min",
        MeasureKind.Max => "max",
        MeasureKind.Avg => "avg",
        MeasureKind.Distinct => "distinct",
        MeasureKind.Quantiles => "quantiles",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown measure kind."),
    };

    /// <summary>Parses a catalog function name (case-sensitive, lower case).</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out MeasureKind kind)
    {
        kind = name switch
        {
            "count" => MeasureKind.Count,
            "sum" => MeasureKind.Sum,
            "min" => MeasureKind.Min,
            "max" => MeasureKind.Max,
            "avg" => MeasureKind.Avg,
            "distinct" => MeasureKind.Distinct,
            "quantiles" => MeasureKind.Quantiles,
            _ => default,
        };
        return kind != default;
    }
}
