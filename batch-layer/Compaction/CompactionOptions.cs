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

    /// <summary>
    /// Cron (UTC) of the recurring compaction job. Default <c>8-59/15 * * * *</c> (every 15 minutes, at minutes 8, 23,
    /// 38 and 53): under a steady stream a recompute then never finds more than about 20 minutes of flush files (one
    /// per partition per archiver flush) beside the day files.
    /// </summary>
    public string Cron { get; init; } = "8-59/15 * * * *";

    /// <summary>
    /// Only commits written at least this long ago are compacted. Default 5 minutes: commits young enough to be
    /// joined by the next ones soon are left for the next run, so a run rewrites each day once rather than every 15 minutes.
    /// </summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Valid events at most in one compaction record. Default 1,000,000. A merge holds the rows of the run it
    /// rewrites in memory (routed into one buffer per UTC day, each input file read once), so this bounds its
    /// memory; it also keeps records (and what a later compaction rewrites when new commits join the last one)
    /// small. A commit larger than this on its own is left as it is.
    /// </summary>
    public long MaxEventsPerRecord { get; init; } = 1_000_000;

    /// <summary>
    /// Rows at most per Parquet row group of day files. Default 100,000: a day file's rows are sorted by event time, so
    /// each row group covers a disjoint time range and a reader of some hours skips the others by their statistics.
    /// </summary>
    public int RowGroupSize { get; init; } = 100_000;

    /// <summary>Whether merged files and records are flushed to disk before they become visible. Default true.</summary>
    public bool FlushToDisk { get; init; } = true;

    /// <summary>How long a compaction waits for a running recompute (they share the recompute lock). Default 30 minutes.</summary>
    public TimeSpan LockWaitTimeout { get; init; } = TimeSpan.FromMinutes(30);
}
