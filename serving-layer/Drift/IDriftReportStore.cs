namespace Lambda.ServingLayer.Drift;

/// <summary>
/// The serving layer's port to the drift audit tables the batch layer writes (<see cref="Lambda.Shared.Drift.DriftSchema"/>):
/// it only reads them. A database where they do not exist yet holds no audits.
/// </summary>
public interface IDriftReportStore
{
    /// <summary>The newest audits (of <paramref name="view"/>, or every view for null), newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<DriftAuditRecord>> GetAuditsAsync(string? view, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Differences whose bucket lies in [<paramref name="from"/>, <paramref name="to"/>) (open ends for null), of
    /// <paramref name="view"/> or every view, newest audit first, then by bucket, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<DriftDifferenceRecord>> GetDifferencesAsync(string? view, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken);

    /// <summary>The newest audit of each view that did not fail (what the <c>drift</c> alert kind judges).</summary>
    Task<IReadOnlyList<DriftAuditRecord>> GetLatestCompletedAsync(CancellationToken cancellationToken);
}
