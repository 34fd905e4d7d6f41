using System.ComponentModel.DataAnnotations;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>
/// Pipeline health sampling (configuration section <c>Serving:PipelineHealth</c>): every <see cref="SampleInterval"/> each
/// serving instance reads, per catalog source, the topic's log ends, the speed tables' stored positions, the archiver's
/// reported lag and the last recompute, and keeps the last <see cref="History"/> in memory for
/// <c>GET /api/health/pipeline</c> and the <c>/dashboard/health</c> page. Validated on start by
/// <see cref="PipelineHealthOptionsValidator"/>.
/// </summary>
public sealed class PipelineHealthOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Serving:PipelineHealth";

    /// <summary>Whether the sampler runs; without it the endpoint answers empty series. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Time between two samples. Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long samples are kept (in memory, per instance). Default 1 h.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan History { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Time allowed for each read of one sample (broker watermarks, one ClickHouse query, one PostgreSQL query): a read
    /// that takes longer counts as failed and its series gets a gap. Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The values beyond which a series is flagged <c>breached</c> (and drawn red).</summary>
    [Required]
    public PipelineHealthThresholds Thresholds { get; init; } = new();
}
