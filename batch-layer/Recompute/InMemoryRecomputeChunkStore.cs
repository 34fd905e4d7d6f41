namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// <see cref="IRecomputeChunkStore"/> within one process: for an engine without PostgreSQL (unit tests, benchmarks),
/// where the coordinator is the only worker. Same rules as the PostgreSQL store, leases on <see cref="TimeProvider"/>.
/// </summary>
public sealed class InMemoryRecomputeChunkStore(TimeProvider time) : IRecomputeChunkStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public Task CreateRunAsync(ChunkRunSpec spec, IReadOnlyList<RecomputeChunk> chunks, string coordinator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(chunks);
        lock (_lock)
        {
            foreach (var run in _runs.Values)
            {
                run.Running = false;
            }

            _runs[spec.RunId] = new Run(spec, chunks.Select(c => new Slot(c)).ToArray());
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ChunkRunSpec?> GetRunningSpecAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_runs.TryGetValue(runId, out var run) && run.Running ? run.Spec : null);
        }
    }

    /// <inheritdoc/>
    public Task<RecomputeChunk?> TryClaimAsync(string runId, int? number, string worker, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(runId, out var run) || !run.Running)
            {
                return Task.FromResult<RecomputeChunk?>(null);
            }

            var now = time.GetUtcNow();
            var slot = run.Slots.FirstOrDefault(s => (number is null || s.Chunk.Number == number)
                && (s.State == SlotState.Pending || (s.State == SlotState.Running && s.LeaseUntil < now)));
            if (slot is null)
            {
                return Task.FromResult<RecomputeChunk?>(null);
            }

            slot.State = SlotState.Running;
            slot.Worker = worker;
            slot.LeaseUntil = now + lease;
            return Task.FromResult<RecomputeChunk?>(slot.Chunk);
        }
    }

    /// <inheritdoc/>
    public Task<bool> RenewAsync(string runId, int number, string worker, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var slot = Held(runId, number, worker);
            if (slot is not null)
            {
                slot.LeaseUntil = time.GetUtcNow() + lease;
            }

            return Task.FromResult(slot is not null);
        }
    }

    /// <inheritdoc/>
    public Task<bool> CompleteAsync(string runId, ChunkOutcome outcome, string worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        lock (_lock)
        {
            var slot = Held(runId, outcome.Number, worker);
            if (slot is not null)
            {
                slot.State = SlotState.Done;
                slot.Outcome = outcome;
            }

            return Task.FromResult(slot is not null);
        }
    }

    /// <inheritdoc/>
    public Task FailAsync(string runId, int number, string worker, string error, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Held(runId, number, worker) is { } slot)
            {
                slot.State = SlotState.Failed;
                slot.Error = error;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ReleaseAsync(string runId, int number, string worker, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Held(runId, number, worker) is { } slot)
            {
                slot.State = SlotState.Pending;
                slot.Worker = null;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ChunkRunStatus> GetStatusAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(runId, out var run))
            {
                throw new InvalidOperationException($"recompute run {runId} has no chunks recorded");
            }

            var done = run.Slots.Where(s => s.State == SlotState.Done).ToArray();
            var failed = run.Slots.FirstOrDefault(s => s.State == SlotState.Failed);
            return Task.FromResult(new ChunkRunStatus(
                run.Slots.Length,
                done.Select(s => s.Outcome!).ToArray(),
                failed is null ? null : $"chunk {failed.Chunk.Number} ({failed.Chunk.View}, {failed.Chunk.Day:yyyy-MM-dd}) on {failed.Worker}: {failed.Error}",
                done.GroupBy(s => s.Worker!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal)));
        }
    }

    /// <inheritdoc/>
    public Task FinishRunAsync(string runId, bool published, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Only the last run is kept: nothing reads an ended run's chunks.
            _runs.Remove(runId);
        }

        return Task.CompletedTask;
    }

    private Slot? Held(string runId, int number, string worker) =>
        _runs.TryGetValue(runId, out var run)
            ? run.Slots.FirstOrDefault(s => s.Chunk.Number == number && s.State == SlotState.Running && string.Equals(s.Worker, worker, StringComparison.Ordinal))
            : null;

    private enum SlotState
    {
        Pending,
        Running,
        Done,
        Failed,
    }

    private sealed class Run(ChunkRunSpec spec, Slot[] slots)
    {
        public ChunkRunSpec Spec { get; } = spec;

        public Slot[] Slots { get; } = slots;

        public bool Running { get; set; } = true;
    }

    private sealed class Slot(RecomputeChunk chunk)
    {
        public RecomputeChunk Chunk { get; } = chunk;

        public SlotState State { get; set; }

        public string? Worker { get; set; }

        public DateTimeOffset LeaseUntil { get; set; }

        public ChunkOutcome? Outcome { get; set; }

        public string? Error { get; set; }
    }
}
