using Lambda.ServingLayer.Admin;

namespace Lambda.ServingLayer.Contracts;

/// <summary>One batch run.</summary>
public sealed record BatchRunDescription(
    string RunId,
    string Mode,
    DateOnly? RangeFrom,
    DateOnly? RangeTo,
    string State,
    string? Stage,
    DateTime StartedAt,
    DateTime? FinishedAt,
    double? DurationSeconds,
    long RowsRead,
    long RowsWritten,
    string? Error)
{
    /// <summary>Describes <paramref name="run"/> (times in UTC).</summary>
    public static BatchRunDescription From(BatchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new BatchRunDescription(
            run.RunId,
            run.Mode,
            run.RangeFrom,
            run.RangeTo,
            run.State,
            run.Stage,
            run.StartedAt.UtcDateTime,
            run.FinishedAt?.UtcDateTime,
            run.FinishedAt is { } finished ? Math.Round((finished - run.StartedAt).TotalSeconds, 3) : null,
            run.RowsRead,
            run.RowsWritten,
            run.Error);
    }
}
