using System.Diagnostics.CodeAnalysis;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>Names and conversions of <see cref="QueryGranularity"/>.</summary>
public static class QueryGranularityExtensions
{
    /// <summary>The accepted names, finest first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["minute", "hour", "day", "all"];

    /// <summary>The API name: <c>minute</c>, <c>hour</c>, <c>day</c> or <c>all</c>.</summary>
    public static string ToName(this QueryGranularity granularity) => granularity switch
    {
        QueryGranularity.All => "all",
        _ => granularity.ToTimeGranularity().ToName(),
    };

    /// <summary>The time granularity; null for <see cref="QueryGranularity.All"/>.</summary>
    public static Granularity? ToTimeGranularityOrNull(this QueryGranularity granularity) =>
        granularity == QueryGranularity.All ? null : granularity.ToTimeGranularity();

    /// <summary>The time granularity.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="QueryGranularity.All"/> or an undefined value.</exception>
    public static Granularity ToTimeGranularity(this QueryGranularity granularity) => granularity switch
    {
        QueryGranularity.Minute => Granularity.Minute,
        QueryGranularity.Hour => Granularity.Hour,
        QueryGranularity.Day => Granularity.Day,
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "not a time granularity"),
    };

    /// <summary>The query granularity of a view granularity.</summary>
    public static QueryGranularity ToQueryGranularity(this Granularity granularity) => granularity switch
    {
        Granularity.Minute => QueryGranularity.Minute,
        Granularity.Hour => QueryGranularity.Hour,
        Granularity.Day => QueryGranularity.Day,
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "Unknown granularity."),
    };

    /// <summary>Parses <c>minute</c>, <c>hour</c>, <c>day</c> or <c>all</c> (case-insensitive).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out QueryGranularity granularity)
    {
        if (string.Equals(text?.Trim(), "all", StringComparison.OrdinalIgnoreCase))
        {
            granularity = QueryGranularity.All;
            return true;
        }

        if (GranularityExtensions.TryParse(text, out var time))
        {
            granularity = time.ToQueryGranularity();
            return true;
        }

        granularity = default;
        return false;
    }

    /// <summary>True when a view stored per <paramref name="stored"/> can answer at <paramref name="requested"/> (the same or coarser).</summary>
    public static bool CanServe(this Granularity stored, QueryGranularity requested) =>
        requested == QueryGranularity.All || stored.CanRollUpTo(requested.ToTimeGranularity());
}
