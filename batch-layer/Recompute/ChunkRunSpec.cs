namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Everything a chunk's output depends on, fixed by the coordinator when it plans the run and stored with the run's
/// chunks: the run id (in the file's path and metadata), per view the definition and watermarks, and the lookup
/// versions. A chunk's file is a function of this and the archived rows below the watermarks, which no later commit or
/// compaction changes; so any worker, at any time during the run, writes the same bytes.
/// </summary>
/// <param name="RunId">The engine run id.</param>
/// <param name="Views">The views that have chunks.</param>
/// <param name="Lookups">The lookup versions the run joins (name to version), read once when it was planned.</param>
public sealed record ChunkRunSpec(string RunId, IReadOnlyList<ChunkViewSpec> Views, IReadOnlyDictionary<string, long> Lookups)
{
    /// <summary>The spec of <paramref name="view"/>.</summary>
    /// <exception cref="InvalidDataException">The run has no such view.</exception>
    public ChunkViewSpec GetView(string view) =>
        Views.FirstOrDefault(v => string.Equals(v.View, view, StringComparison.Ordinal))
        ?? throw new InvalidDataException($"recompute run {RunId} has no chunk spec of view '{view}'");
}
