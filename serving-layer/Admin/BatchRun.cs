namespace Lambda.ServingLayer.Admin;

/// <summary>One row of the batch layer's <c>batch_runs</c> table.</summary>
/// <param name="Stage">
/// What a run is doing while it runs (the engine's stage, e.g. <c>plan</c>, <c>chunks 12/40</c> while the batch workers
/// compute a chunked recompute's view-day chunks, <c>publish</c>, <c>load</c>); null before the first report.
/// </param>
public sealed record BatchRun(
    string RunId,
    string Mode,
    DateOnly? RangeFrom,
    DateOnly? RangeTo,
    string State,
    string? Stage,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    long RowsRead,
    long RowsWritten,
    string? Error);
