namespace Lambda.BatchLayer.Compaction;

/// <summary>
/// Compaction of the master dataset's small files (<c>Batch:Compaction</c>; validated by
/// <see cref="CompactionOptionsValidator"/>).
/// </summary>
public sealed class CompactionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Batch:Compaction";

    /// <summary>Whether the recurring compaction job is scheduled. Default true.</summary>
    public bool RecurringJobEnabled { get; init; } = true;

    /// <summary>Cron (UTC) of the recurring compaction job. Default <c>23 * * * *</c> (hourly, at minute 23).</summary>
    public string Cron { get; init; } = "23 * * * *";

    /// <summary>Only commits written at least this long ago are compacted. Default 10 minutes.</summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Valid events at most in one compaction record. Default 1,000,000. A merge holds one (date, hour) file's
    /// rows in memory at a time; the bound keeps records (and what a later compaction rewrites when new
    /// commits join the last one) small. A commit larger than this on its own is left as it is.
    /// </summary>
    public long MaxEventsPerRecord { get; init; } = 1_000_000;

    /// <summary>Rows per Parquet row group of merged files. Default 1,000,000.</summary>
    public int RowGroupSize { get; init; } = 1_000_000;

    /// <summary>Whether merged files and records are flushed to disk before they become visible. Default true.</summary>
    public bool FlushToDisk { get; init; } = true;

    /// <summary>How long a compaction waits for a running recompute (they share the recompute lock). Default 30 minutes.</summary>
    public TimeSpan LockWaitTimeout { get; init; } = TimeSpan.FromMinutes(30);
}
