using Lambda.ServingLayer.Admin;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>A run log in memory; <see cref="Failure"/> makes reading throw.</summary>
internal sealed class FakeBatchStatusStore : IBatchStatusStore
{
    public List<BatchRun> Runs { get; } = [];

    public int? LastLimit { get; private set; }

    public Exception? Failure { get; set; }

    public Task<IReadOnlyList<BatchRun>> GetRecentRunsAsync(int limit, CancellationToken cancellationToken)
    {
        LastLimit = limit;
        if (Failure is { } failure)
        {
            return Task.FromException<IReadOnlyList<BatchRun>>(failure);
        }

        return Task.FromResult<IReadOnlyList<BatchRun>>(Runs.OrderByDescending(r => r.StartedAt).Take(limit).ToArray());
    }
}
