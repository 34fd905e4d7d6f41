using Hangfire;
using Lambda.BatchLayer.Recompute;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Offers a run's chunks as Hangfire jobs (<see cref="RecomputeChunkJob"/>, one per chunk, queue <see cref="RecomputeJob.Queue"/>),
/// so the Hangfire server of every batch-layer instance on the same PostgreSQL works on them. A job only claims its chunk
/// in the <see cref="IRecomputeChunkStore"/>: one whose chunk the coordinator already took, or whose run ended, does nothing.
/// </summary>
public sealed class HangfireChunkDispatcher(IBackgroundJobClient client) : IRecomputeChunkDispatcher
{
    /// <inheritdoc/>
    public Task DispatchAsync(string runId, IReadOnlyList<RecomputeChunk> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        foreach (var chunk in chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            client.Enqueue<RecomputeChunkJob>(RecomputeJob.Queue, job => job.RunAsync(runId, chunk.Number, CancellationToken.None));
        }

        return Task.CompletedTask;
    }
}
