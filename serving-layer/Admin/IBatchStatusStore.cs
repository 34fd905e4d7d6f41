namespace Lambda.ServingLayer.Admin;

/// <summary>The serving layer's seam to the batch layer's run log (PostgreSQL table <c>batch_runs</c>).</summary>
public interface IBatchStatusStore
{
    /// <summary>The newest runs first, at most <paramref name="limit"/>; empty when no run was ever recorded.</summary>
    Task<IReadOnlyList<BatchRun>> GetRecentRunsAsync(int limit, CancellationToken cancellationToken);
}
