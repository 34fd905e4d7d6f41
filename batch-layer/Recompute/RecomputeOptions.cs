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

    /// <summary>How often a coordinator with no chunk left to claim checks whether the others' chunks are done. Default: 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ChunkPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// For tests only: a pause at the start of every chunk, so that a test can kill a worker while it holds one. Default: 0.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ChunkDelay { get; init; } = TimeSpan.Zero;
}
