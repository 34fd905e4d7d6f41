namespace Lambda.BatchLayer.Recompute;

/// <summary>The state of a distributed run's chunks.</summary>
/// <param name="Total">Chunks planned.</param>
/// <param name="Outcomes">The finished chunks.</param>
/// <param name="Failure">The first chunk failure ("chunk N (view, day) on worker: error"); null while none failed.</param>
/// <param name="DoneByWorker">Finished chunks per worker identity (host/pid).</param>
public sealed record ChunkRunStatus(int Total, IReadOnlyList<ChunkOutcome> Outcomes, string? Failure, IReadOnlyDictionary<string, int> DoneByWorker)
{
    /// <summary>Chunks finished.</summary>
    public int Done => Outcomes.Count;

    /// <summary>Master-dataset rows the finished chunks read.</summary>
    public long RowsRead => Outcomes.Sum(o => o.RowsRead);
}
