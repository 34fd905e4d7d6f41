using System.ComponentModel.DataAnnotations;

namespace Lambda.BatchLayer.Recompute;

/// <summary>The recompute engine's settings (configuration section <c>Batch:Recompute</c>).</summary>
public sealed class RecomputeOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Batch:Recompute";

    /// <summary>Threads that read and aggregate master-dataset files in parallel. Default: the number of processors.</summary>
    [Range(1, 256)]
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Days aggregated together before their batch-view files are written and the aggregates are released.
    /// Bounds memory on long backfills. Default 7.
    /// </summary>
    [Range(1, 366)]
    public int DaysPerChunk { get; init; } = 7;
}
