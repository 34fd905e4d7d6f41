using Lambda.ServingLayer.Admin;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>A run log in memory.</summary>
internal sealed class FakeBatchStatusStore : IBatchStatusStore
{
    public List<BatchRun> Runs { get; } = [];

    public int? LastLimit { get; private set; }

    public Task<IReadOnlyList<BatchRun>> GetRecentRunsAsync(int limit, CancellationToken cancellationToken)
    {
        LastLimit = limit;
        return Task.FromResult<IReadOnlyList<BatchRun>>(Runs.OrderByDescending(r => r.StartedAt).Take(limit).ToArray());
    }
}
