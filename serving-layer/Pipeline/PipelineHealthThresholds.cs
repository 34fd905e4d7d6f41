using System.ComponentModel.DataAnnotations;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>
/// Thresholds of the pipeline health series (<c>Serving:PipelineHealth:Thresholds</c>); a current value strictly above its
/// threshold is flagged <c>breached</c>.
/// </summary>
public sealed class PipelineHealthThresholds
{
    /// <summary>Most events of a source the speed layer may have left unstored (its slowest view). Default 100,000.</summary>
    [Range(0, long.MaxValue)]
    public long MaxSpeedLag { get; init; } = 100_000;

    /// <summary>
    /// Most events of a source the batch layer's archiver may be behind (summed over partitions). Default 1,000,000;
    /// ingest back-pressure has its own per-partition limit, reported by the archiver.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxArchiverLag { get; init; } = 1_000_000;

    /// <summary>Longest time the newest unstored events of a source may have waited for the speed layer. Default 1 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxFreshness { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Oldest acceptable last recompute (since it finished, or started while it runs). Default 26 h: the nightly run plus slack.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan MaxRecomputeAge { get; init; } = TimeSpan.FromHours(26);
}
