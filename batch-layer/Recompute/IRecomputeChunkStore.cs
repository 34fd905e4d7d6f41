namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// The shared record of a distributed run's chunks and their leases (PostgreSQL for several instances, memory for one
/// process). A chunk is claimed with a lease that its worker renews; a chunk whose lease ran out (its worker died or
/// stalled) can be claimed again by anyone. Only the lease holder can complete it.
/// </summary>
public interface IRecomputeChunkStore
{
    /// <summary>
    /// Records run <paramref name="spec"/> with <paramref name="chunks"/> (all pending) as the running run; any other run
    /// still marked running is marked abandoned (its coordinator is gone: only the holder of the recompute lock creates runs).
    /// </summary>
    Task CreateRunAsync(ChunkRunSpec spec, IReadOnlyList<RecomputeChunk> chunks, string coordinator, CancellationToken cancellationToken);

    /// <summary>
    /// Takes over the run a dead coordinator left running when its inputs are those of <paramref name="spec"/>
    /// (<see cref="ChunkRunSpec.HasSameInputsAs"/>) and its chunks are <paramref name="chunks"/> (same numbers, views,
    /// sources, days), none failed, and it is not <paramref name="publishedRunId"/> (a coordinator that died after
    /// publishing): it becomes <paramref name="coordinator"/>'s, its finished chunks stay finished, the chunks its old
    /// coordinator held are claimable at once, and its run id is returned (the run goes on under it). Null when there is no
    /// such run; then <see cref="CreateRunAsync"/> starts a new one.
    /// </summary>
    Task<string?> TryAdoptRunAsync(ChunkRunSpec spec, IReadOnlyList<RecomputeChunk> chunks, string coordinator, string? publishedRunId, CancellationToken cancellationToken);

    /// <summary>The spec of run <paramref name="runId"/> while it is running; null once it ended (or never existed).</summary>
    Task<ChunkRunSpec?> GetRunningSpecAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims chunk <paramref name="number"/> (or, when null, the first claimable one) of a running run, with every other
    /// claimable chunk of the same source on that day and on the next claimable days of that source, up to
    /// <paramref name="maxDays"/> days in all (the first claimable days on or after the first chunk's day, in day order),
    /// for <paramref name="worker"/> for <paramref name="lease"/>. Claimable: pending, or running with an expired lease.
    /// Empty when there is none. The chunks come in number order.
    /// </summary>
    Task<IReadOnlyList<RecomputeChunk>> TryClaimAsync(string runId, int? number, string worker, TimeSpan lease, int maxDays, CancellationToken cancellationToken);

    /// <summary>Extends the lease of the chunks <paramref name="numbers"/>; false when <paramref name="worker"/> no longer holds all of them.</summary>
    Task<bool> RenewAsync(string runId, IReadOnlyList<int> numbers, string worker, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Records the chunks done, all or none; false when <paramref name="worker"/> no longer held all of them (the outcomes are dropped).</summary>
    Task<bool> CompleteAsync(string runId, IReadOnlyList<ChunkOutcome> outcomes, string worker, CancellationToken cancellationToken);

    /// <summary>Records the chunks failed, which fails the run.</summary>
    Task FailAsync(string runId, IReadOnlyList<int> numbers, string worker, string error, CancellationToken cancellationToken);

    /// <summary>Gives the chunks back (pending) at once, e.g. when their worker shuts down.</summary>
    Task ReleaseAsync(string runId, IReadOnlyList<int> numbers, string worker, CancellationToken cancellationToken);

    /// <summary>The chunks' state.</summary>
    Task<ChunkRunStatus> GetStatusAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Ends the run (published or not): none of its chunks can be claimed any more.</summary>
    Task FinishRunAsync(string runId, bool published, CancellationToken cancellationToken);
}
