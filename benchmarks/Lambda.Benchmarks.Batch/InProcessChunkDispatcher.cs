using Lambda.BatchLayer.Recompute;

namespace Lambda.Benchmarks.Batch;

/// <summary>
/// Stands in for the other batch-layer instances of a distributed recompute: when the coordinator offers a run's chunks,
/// <paramref name="helpers"/> more workers in this process claim them from the same store until none is left, as Hangfire
/// chunk jobs on other servers would (same claims, same leases; no PostgreSQL or Hangfire round trips).
/// </summary>
internal sealed class InProcessChunkDispatcher(ChunkWorker worker, int helpers) : IRecomputeChunkDispatcher
{
    private readonly List<Task> _running = [];

    public async Task DispatchAsync(string runId, IReadOnlyList<RecomputeChunk> chunks, CancellationToken cancellationToken)
    {
        var spec = await worker.Store.GetRunningSpecAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"run {runId} is not running");
        for (var h = 0; h < helpers; h++)
        {
            _running.Add(Task.Run(
                async () =>
                {
                    while (await worker.RunAsync(spec, null, cancellationToken).ConfigureAwait(false) is not null)
                    {
                    }
                },
                cancellationToken));
        }
    }

    /// <summary>Waits for the helpers of the runs so far (they end when nothing is left to claim) and surfaces their failures.</summary>
    public async Task DrainAsync()
    {
        await Task.WhenAll(_running).ConfigureAwait(false);
        _running.Clear();
    }
}
