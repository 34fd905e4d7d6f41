using System.ComponentModel.DataAnnotations;

namespace Lambda.BatchLayer.Recompute;

/// <summary>The recompute engine's settings (configuration section <c>Batch:Recompute</c>).</summary>
public sealed class RecomputeOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Batch:Recompute";

    /// <summary>Threads that read and aggregate the master-dataset files of one chunk in parallel. Default: the number of processors.</summary>
    [Range(1, 256)]
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// How long a worker holds a chunk (one view, one day) without renewing it; it renews every third of it. A worker that
    /// dies or stalls longer loses the chunk, and the coordinator (or any worker) runs it again. This bounds the time a
    /// killed worker delays a run; keep it well above a database hiccup. Default: 1 minute (bounds 3 s to 1 hour).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "01:00:00")]
    public TimeSpan ChunkLease { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many UTC days of one source a worker claims at once (with every view of the source on those days). A claim
    /// opens each master-dataset file once and routes its rows to the days' aggregations, so a flush file touching D days
    /// is opened about D / DaysPerClaim times per recompute instead of D times; the aggregation state of every claimed
    /// view-day is held until the claim's files are read (memory grows with it), and fewer, larger claims leave less work
    /// for other workers to share. Default: 8 (bounds 1 to 366).
    /// </summary>
    [Range(1, 366)]
    public int DaysPerClaim { get; init; } = 8;

    /// <summary>How often a coordinator with no chunk left to claim checks whether the others' chunks are done. Default: 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ChunkPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// For tests only: a pause at the start of every chunk, so that a test can kill a worker while it holds one. Default: 0.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ChunkDelay { get; init; } = TimeSpan.Zero;
}
