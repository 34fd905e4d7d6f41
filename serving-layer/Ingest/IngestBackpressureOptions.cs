using System.ComponentModel.DataAnnotations;

namespace Lambda.ServingLayer.Ingest;

/// <summary>
/// Back-pressure on ingest (configuration section <c>Serving:IngestBackpressure</c>): while the batch layer reports its
/// archiver further behind on a topic than it tolerates (<c>Batch:Archiver:MaxLagShareOfRetention</c> of the broker's
/// retention), <c>POST /api/events/{source}</c> of that topic answers 503 with <c>Retry-After</c>, so producers slow
/// down before the broker evicts events the archiver has not stored. The reports come from PostgreSQL (<c>archiver_lag</c>).
/// </summary>
public sealed class IngestBackpressureOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Serving:IngestBackpressure";

    /// <summary>Whether ingest is refused while the archiver is behind. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The <c>Retry-After</c> of the 503 answer, in seconds. Default 5.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; init; } = 5;

    /// <summary>How often the archiver's reported lag is read. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Reports older than this are ignored: their archiver stopped reporting (stopped, or lost its partitions to another
    /// member, which reports them itself). Default 30 s; keep it well above <c>Batch:Archiver:LagReportInterval</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxReportAge { get; init; } = TimeSpan.FromSeconds(30);
}
