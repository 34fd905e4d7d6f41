namespace Lambda.BatchLayer.Retention;

/// <summary>
/// Retention of batch-view runs (configuration section <c>Batch:Retention</c>): which run directories under
/// <c>views/</c> are deleted once the published manifest no longer names them.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Batch:Retention";

    /// <summary>The longest grace period accepted.</summary>
    public static readonly TimeSpan MaxGracePeriod = TimeSpan.FromDays(365);

    /// <summary>
    /// Whether every successful recompute deletes, under its lock, the runs whose grace period is over, and the
    /// ClickHouse speed deltas covered by a manifest that has been current for the grace period (<see cref="SpeedDeltaRetention"/>).
    /// When false the recompute only records when runs stopped being named, and the <c>retain</c> command
    /// deletes them. Default: true.
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// How long a run directory is kept after the manifest stopped naming it, so that readers that loaded an
    /// older manifest (a serving-layer query, an ad hoc <c>sql</c> session, a ClickHouse load) can finish
    /// reading its files. Between 0 and 365 days; 0 deletes at once and is safe only when nothing reads.
    /// Default: 1 hour.
    /// </summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromHours(1);
}
