namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Offers a run's chunks to other workers (Hangfire jobs on the batch queue); without one, the coordinator runs every
/// chunk itself. Dispatching is only an offer: whoever claims a chunk in the <see cref="IRecomputeChunkStore"/> runs it.
/// </summary>
public interface IRecomputeChunkDispatcher
{
    /// <summary>Offers <paramref name="chunks"/> of run <paramref name="runId"/>.</summary>
    Task DispatchAsync(string runId, IReadOnlyList<RecomputeChunk> chunks, CancellationToken cancellationToken);
}
