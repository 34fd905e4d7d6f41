namespace Lambda.BatchLayer.Recompute;

/// <summary>A progress report of a running recompute (shown in the Hangfire dashboard and the CLI).</summary>
/// <param name="Stage">Short stage name, e.g. "read", "aggregate", "write", "publish".</param>
/// <param name="Completed">Units done so far (files, days).</param>
/// <param name="Total">Units in all, when known.</param>
/// <param name="RowsRead">Master-dataset rows read so far.</param>
public sealed record RecomputeProgress(string Stage, long Completed, long? Total, long RowsRead);
