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

            _runs[spec.RunId] = new Run(spec, chunks.Select(c => new Slot(c)).ToArray()) { Coordinator = coordinator };
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<string?> TryAdoptRunAsync(ChunkRunSpec spec, IReadOnlyList<RecomputeChunk> chunks, string coordinator, string? publishedRunId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(chunks);
        lock (_lock)
        {
            var run = _runs.Values.FirstOrDefault(r => r.Running && !string.Equals(r.Spec.RunId, publishedRunId, StringComparison.Ordinal)
                && r.Spec.HasSameInputsAs(spec) && r.Slots.Select(s => s.Chunk).SequenceEqual(chunks) && r.Slots.All(s => s.State != SlotState.Failed));
            if (run is null)
            {
                return Task.FromResult<string?>(null);
            }

            foreach (var slot in run.Slots.Where(s => s.State == SlotState.Running && string.Equals(s.Worker, run.Coordinator, StringComparison.Ordinal)))
            {
                slot.State = SlotState.Pending;
                slot.Worker = null;
            }

            run.Coordinator = coordinator;
            return Task.FromResult<string?>(run.Spec.RunId);
        }
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
    public Task<IReadOnlyList<RecomputeChunk>> TryClaimAsync(string runId, int? number, string worker, TimeSpan lease, int maxDays, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDays, 1);
        lock (_lock)
        {
            if (!_runs.TryGetValue(runId, out var run) || !run.Running)
            {
                return Task.FromResult<IReadOnlyList<RecomputeChunk>>([]);
            }

            var now = time.GetUtcNow();
            bool Claimable(Slot s) => s.State == SlotState.Pending || (s.State == SlotState.Running && s.LeaseUntil < now);
            var first = run.Slots.FirstOrDefault(s => (number is null || s.Chunk.Number == number) && Claimable(s));
            if (first is null)
            {
                return Task.FromResult<IReadOnlyList<RecomputeChunk>>([]);
            }

            bool Sibling(Slot s) => Claimable(s) && s.Chunk.Day >= first.Chunk.Day && string.Equals(s.Chunk.Source, first.Chunk.Source, StringComparison.Ordinal);
            var days = run.Slots.Where(Sibling).Select(s => s.Chunk.Day).Distinct().Order().Take(maxDays).ToHashSet();
            var claimed = run.Slots.Where(s => Sibling(s) && days.Contains(s.Chunk.Day)).OrderBy(s => s.Chunk.Number).ToArray();
            foreach (var slot in claimed)
            {
                slot.State = SlotState.Running;
                slot.Worker = worker;
                slot.LeaseUntil = now + lease;
            }

            return Task.FromResult<IReadOnlyList<RecomputeChunk>>(claimed.Select(s => s.Chunk).ToArray());
        }
    }

    /// <inheritdoc/>
    public Task<bool> RenewAsync(string runId, IReadOnlyList<int> numbers, string worker, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var held = Held(runId, numbers, worker);
            foreach (var slot in held ?? [])
            {
                slot.LeaseUntil = time.GetUtcNow() + lease;
            }

            return Task.FromResult(held is not null);
        }
    }

    /// <inheritdoc/>
    public Task<bool> CompleteAsync(string runId, IReadOnlyList<ChunkOutcome> outcomes, string worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        lock (_lock)
        {
            var held = Held(runId, outcomes.Select(o => o.Number).ToArray(), worker);
            for (var i = 0; held is not null && i < held.Length; i++)
            {
                held[i].State = SlotState.Done;
                held[i].Outcome = outcomes[i];
            }

            return Task.FromResult(held is not null);
        }
    }

    /// <inheritdoc/>
    public Task FailAsync(string runId, IReadOnlyList<int> numbers, string worker, string error, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var slot in Held(runId, numbers, worker) ?? [])
            {
                slot.State = SlotState.Failed;
                slot.Error = error;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ReleaseAsync(string runId, IReadOnlyList<int> numbers, string worker, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var slot in Held(runId, numbers, worker) ?? [])
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

    // The slots of numbers (in that order) when the worker holds every one of them; null otherwise.
    private Slot[]? Held(string runId, IReadOnlyList<int> numbers, string worker)
    {
        if (!_runs.TryGetValue(runId, out var run))
        {
            return null;
        }

        var order = numbers.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        var slots = run.Slots.Where(s => order.ContainsKey(s.Chunk.Number)).OrderBy(s => order[s.Chunk.Number]).ToArray();
        return slots.Length == numbers.Count && slots.All(s => s.State == SlotState.Running && string.Equals(s.Worker, worker, StringComparison.Ordinal)) ? slots : null;
    }

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

        public string Coordinator { get; set; } = string.Empty;
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
