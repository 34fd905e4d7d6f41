using System.Globalization;
using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// One random query of the end-to-end test: view, range (on the view's bucket boundaries), granularity, group-by,
/// filter, and for a sliding-window query the window's length.
/// </summary>
internal sealed record OracleQuery(
    ViewDefinition View,
    long FromMs,
    long ToMs,
    string Granularity,
    IReadOnlyList<int> GroupBy,
    IReadOnlyList<(int Dimension, IReadOnlyList<string> Values)> Filters)
{
    /// <summary>Random queries over <paramref name="days"/> days from <paramref name="start"/>.</summary>
    public static IReadOnlyList<OracleQuery> Generate(IReadOnlyList<ViewDefinition> views, DateTimeOffset start, int days, int count, int seed)
    {
        var random = new Random(seed);
        var queries = new List<OracleQuery>(count);
        for (var i = 0; i < count; i++)
        {
            var view = views[random.Next(views.Count)];
            var width = view.Granularity.ToMilliseconds();
            var buckets = days * 86_400_000L / width;
            var first = random.NextInt64(buckets);
            var last = Math.Min(buckets, first + 1 + random.NextInt64(buckets - first));
            var granularities = new[] { "minute", "hour", "day", "all" }
                .Where(g => g == "all" || (GranularityExtensions.TryParse(g, out var parsed) && view.Granularity.CanRollUpTo(parsed)))
                .ToArray();
            var (groupBy, filters) = RandomGroupsAndFilters(view, random);

            queries.Add(new OracleQuery(
                view, start.ToUnixTimeMilliseconds() + first * width, start.ToUnixTimeMilliseconds() + last * width,
                granularities[random.Next(granularities.Length)], groupBy, filters));
        }

        return queries;
    }

    /// <summary>
    /// Random sliding-window queries over <paramref name="days"/> days from <paramref name="start"/>, two of each kind:
    /// per minute with a 5-minute window and per hour with a 3-hour window on every minute view, per hour with a 3-hour
    /// and per day with a 2-day window on every hour view; ranges on the rows' bucket boundaries, as the API requires.
    /// </summary>
    public static IReadOnlyList<OracleQuery> GenerateWindowed(IReadOnlyList<ViewDefinition> views, DateTimeOffset start, int days, int seed)
    {
        var random = new Random(seed);
        var queries = new List<OracleQuery>();
        foreach (var view in views)
        {
            var kinds = view.Granularity == Lambda.Shared.Time.Granularity.Minute
                ? new[] { ("minute", 60_000L, 5), ("hour", 3_600_000L, 3) }
                : new[] { ("hour", 3_600_000L, 3), ("day", 86_400_000L, 2) };
            foreach (var (granularity, width, windowBuckets) in kinds)
            {
                for (var i = 0; i < 2; i++)
                {
                    var buckets = days * 86_400_000L / width;
                    var first = random.NextInt64(buckets);
                    var last = Math.Min(buckets, first + 1 + random.NextInt64(Math.Min(buckets - first, 1_500)));
                    var (groupBy, filters) = RandomGroupsAndFilters(view, random);

                    queries.Add(new OracleQuery(
                        view, start.ToUnixTimeMilliseconds() + first * width, start.ToUnixTimeMilliseconds() + last * width, granularity, groupBy, filters)
                    {
                        WindowMs = windowBuckets * width,
                    });
                }
            }
        }

        return queries;
    }

    /// <summary>A random group-by (each dimension or not) and, half the time, a filter of one or two values of one dimension.</summary>
    private static (int[] GroupBy, List<(int, IReadOnlyList<string>)> Filters) RandomGroupsAndFilters(ViewDefinition view, Random random)
    {
        var groupBy = Enumerable.Range(0, view.Dimensions.Count).Where(_ => random.Next(2) == 0).ToArray();
        var filters = new List<(int, IReadOnlyList<string>)>();
        if (random.Next(2) == 0)
        {
            var dimension = random.Next(view.Dimensions.Count);
            var pool = view.Dimensions[dimension].Name switch
            {
                "country" => OrderStream.Countries,
                "region" => ReferenceRows.Countries.Select(r => r.Values["region"]!).Distinct().ToArray(),
                "method" => PaymentStream.Methods,
                "currency" => PaymentStream.Currencies.Distinct().ToArray(),
                _ => OrderStream.Statuses.Distinct().ToArray(),
            };
            filters.Add((dimension, pool.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).ToArray()));
        }

        return (groupBy, filters);
    }

    /// <summary>For a sliding-window query, the window's length in milliseconds; null otherwise.</summary>
    public long? WindowMs { get; init; }

    /// <summary>The window as the API echoes it (<c>5m</c>, <c>3h</c>, <c>2d</c>), written out here rather than by the serving layer.</summary>
    public string? WindowText => WindowMs switch
    {
        null => null,
        { } ms when ms % 86_400_000L == 0 => string.Create(CultureInfo.InvariantCulture, $"{ms / 86_400_000L}d"),
        { } ms when ms % 3_600_000L == 0 => string.Create(CultureInfo.InvariantCulture, $"{ms / 3_600_000L}h"),
        { } ms => string.Create(CultureInfo.InvariantCulture, $"{ms / 60_000L}m"),
    };

    /// <summary>The query string of the serving API.</summary>
    public string ToQueryString()
    {
        var query = new StringBuilder()
            .Append("from=").Append(Uri.EscapeDataString(TimeBucket.ToIso(FromMs)))
            .Append("&to=").Append(Uri.EscapeDataString(TimeBucket.ToIso(ToMs)))
            .Append("&granularity=").Append(Granularity)
            .Append("&group_by=").Append(Uri.EscapeDataString(string.Join(',', GroupBy.Select(d => View.Dimensions[d].Name))));
        foreach (var (dimension, values) in Filters)
        {
            var items = values.Select(v => View.Dimensions[dimension].Name + ":" + v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal));
            query.Append("&filter=").Append(Uri.EscapeDataString(string.Join(',', items)));
        }

        if (WindowText is { } window)
        {
            query.Append("&window=").Append(window);
        }

        return query.ToString();
    }

    /// <summary>True when the dimension values (their text) pass the filters.</summary>
    public bool Accepts(IReadOnlyList<string> dimensions) =>
        Filters.All(f => f.Values.Contains(dimensions[f.Dimension], StringComparer.Ordinal));

    /// <summary>The width of the answer's buckets; null for <c>all</c> (one bucket from <see cref="FromMs"/>).</summary>
    public long? RollUpMilliseconds => Granularity switch
    {
        "minute" => 60_000L,
        "hour" => 3_600_000L,
        "day" => 86_400_000L,
        _ => null,
    };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{View.Name}?{ToQueryString()}");
}
