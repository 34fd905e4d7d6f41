using Lambda.ServingLayer.Drift;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Drift audits in memory, filtered like the PostgreSQL store; records the last filters asked for.</summary>
internal sealed class FakeDriftReportStore : IDriftReportStore
{
    public List<DriftAuditRecord> Audits { get; } = [];

    public List<DriftDifferenceRecord> Differences { get; } = [];

    public (string? View, DateTimeOffset? From, DateTimeOffset? To, int Limit)? LastDifferenceQuery { get; private set; }

    public Task<IReadOnlyList<DriftAuditRecord>> GetAuditsAsync(string? view, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DriftAuditRecord>>(Audits.Where(a => view is null || a.View == view).OrderByDescending(a => a.AuditedAt).Take(limit).ToArray());

    public Task<IReadOnlyList<DriftDifferenceRecord>> GetDifferencesAsync(string? view, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken)
    {
        LastDifferenceQuery = (view, from, to, limit);
        return Task.FromResult<IReadOnlyList<DriftDifferenceRecord>>(Differences
            .Where(d => (view is null || d.View == view) && (from is null || d.Bucket >= from.Value.UtcDateTime) && (to is null || d.Bucket < to.Value.UtcDateTime))
            .OrderByDescending(d => d.AuditedAt)
            .Take(limit)
            .ToArray());
    }

    public Task<IReadOnlyList<DriftAuditRecord>> GetLatestCompletedAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DriftAuditRecord>>(Audits
            .Where(a => a.Outcome != "failed")
            .GroupBy(a => a.View)
            .Select(g => g.OrderByDescending(a => a.AuditedAt).First())
            .ToArray());
}
