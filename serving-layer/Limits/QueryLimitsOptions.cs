using System.ComponentModel.DataAnnotations;
using Lambda.ServingLayer.Querying;

namespace Lambda.ServingLayer.Limits;

/// <summary>
/// How much work one view query and one API key may ask for (configuration section <c>Serving:Limits</c>). A query
/// beyond a limit is refused with a 4xx problem naming the limit and its setting; a key beyond its rate or concurrency
/// gets 429 with <c>Retry-After</c>, so one client flooding expensive queries cannot take the cores of the others.
/// </summary>
public sealed class QueryLimitsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Serving:Limits";

    /// <summary>Longest range of a query per minute (<c>granularity=minute</c>). Default 31 days (44,640 buckets per group).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan MaxRangeMinute { get; init; } = TimeSpan.FromDays(31);

    /// <summary>Longest range of a query per hour. Default 1,096 days (three years, 26,304 buckets per group).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "36525.00:00:00")]
    public TimeSpan MaxRangeHour { get; init; } = TimeSpan.FromDays(1096);

    /// <summary>Longest range of a query per day. Default 36,525 days (a hundred years).</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365250.00:00:00")]
    public TimeSpan MaxRangeDay { get; init; } = TimeSpan.FromDays(36_525);

    /// <summary>Longest range of a query with <c>granularity=all</c>. Default 36,525 days (a hundred years).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365250.00:00:00")]
    public TimeSpan MaxRangeAll { get; init; } = TimeSpan.FromDays(36_525);

    /// <summary>Most groups (distinct dimension values after <c>group_by</c> and filters) one answer may hold. Default 10,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxGroups { get; init; } = 10_000;

    /// <summary>
    /// Most buckets of the query's granularity one sliding window (<c>window=</c>) may hold. Default 1,440 (a day of
    /// minutes, 60 days of hours). The engine reads the window's buckets before <c>from</c> too, and the range limits
    /// count them.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxWindowBuckets { get; init; } = 1_440;

    /// <summary>
    /// Time a view query may take. Past it the request is answered 504 and its work is cancelled: ClickHouse gets the
    /// same bound as <c>max_execution_time</c>, and a shared computation no caller waits for any more stops. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>View queries per second one API key may send on average (a token bucket refilled every 100 ms). Default 500.</summary>
    [Range(1, 10_000_000)]
    public int RequestsPerSecond { get; init; } = 500;

    /// <summary>Queries one API key may send at once above its average rate (the bucket's size). Default 1,000.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; init; } = 1_000;

    /// <summary>
    /// View queries of one API key answered at the same time. Default half the machine's cores, at least 1: whatever one
    /// key asks, the other half stays free for the other keys' queries.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentQueries { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>
    /// View queries of one API key that wait, in order, for one of its <see cref="MaxConcurrentQueries"/>; beyond them a
    /// query is refused. Default 16: a dashboard's panels load one after the other instead of failing.
    /// </summary>
    [Range(0, 100_000)]
    public int QueuedQueries { get; init; } = 16;

    /// <summary>
    /// Groups (rows read from the batch view and the speed tables) one API key's query computations may merge per second
    /// on average. A computation is charged to the key whose query started it (an answer shared with an identical query
    /// costs the others nothing); a key in debt gets 429 before any work until it is repaid. Default 100,000 per core
    /// (200,000 on 2 cores, about half of what one core merges): it binds on a key that keeps the cores merging, not on
    /// a dashboard or a test suite's back-to-back queries, whose cold answers the burst covers.
    /// </summary>
    [Range(1, 1_000_000_000)]
    public int GroupsPerSecond { get; init; } = 100_000 * Environment.ProcessorCount;

    /// <summary>
    /// Groups a key may merge at once above <see cref="GroupsPerSecond"/> (its saved-up balance). One query may cost more,
    /// taking the balance below zero. Default 5,000,000 (a cold week of dense speed deltas is under 2,000,000).
    /// </summary>
    [Range(1, 1_000_000_000)]
    public int GroupsBurst { get; init; } = 5_000_000;

    /// <summary>
    /// Longest time a 429 is held before it is sent, when the key asks again before an earlier refusal's
    /// <c>Retry-After</c> is over (<see cref="RefusalHold"/>); <c>00:00:00</c> answers every refusal at once. A client
    /// that waits as told is never held. Default 1 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RefusalHold { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest range a query of <paramref name="granularity"/> may ask for.</summary>
    public TimeSpan MaxRangeOf(QueryGranularity granularity) => granularity switch
    {
        QueryGranularity.Minute => MaxRangeMinute,
        QueryGranularity.Hour => MaxRangeHour,
        QueryGranularity.Day => MaxRangeDay,
        _ => MaxRangeAll,
    };

    /// <summary>The configuration key of the property <paramref name="name"/> (e.g. <c>Serving:Limits:MaxGroups</c>).</summary>
    public static string Key(string name) => $"{SectionName}:{name}";

    /// <summary>The configuration key of <see cref="MaxRangeOf"/> for <paramref name="granularity"/>.</summary>
    public static string MaxRangeSetting(QueryGranularity granularity) => Key(granularity switch
    {
        QueryGranularity.Minute => nameof(MaxRangeMinute),
        QueryGranularity.Hour => nameof(MaxRangeHour),
        QueryGranularity.Day => nameof(MaxRangeDay),
        _ => nameof(MaxRangeAll),
    });
}
