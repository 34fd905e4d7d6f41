namespace Lambda.ServingLayer.Admin;

/// <summary>One row of the batch layer's <c>batch_runs</c> table.</summary>
public sealed record BatchRun(
    string RunId,
    string Mode,
    DateOnly? RangeFrom,
    DateOnly? RangeTo,
    string State,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    long RowsRead,
    long RowsWritten,
    string? Error);
