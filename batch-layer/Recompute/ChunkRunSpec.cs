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

    /// <summary>
    /// Whether a chunk of this run and the same chunk of <paramref name="other"/> are the same file but for the run id: the
    /// same views with the same definitions and watermarks, and the same lookup versions (the order of entries aside).
    /// </summary>
    public bool HasSameInputsAs(ChunkRunSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Views.Count == other.Views.Count
            && Views.All(v => other.Views.Any(o => string.Equals(o.View, v.View, StringComparison.Ordinal)
                && string.Equals(o.DefinitionHash, v.DefinitionHash, StringComparison.Ordinal)
                && SameEntries(o.Watermarks, v.Watermarks)))
            && SameEntries(Lookups, other.Lookups);
    }

    private static bool SameEntries<TKey, TValue>(IReadOnlyDictionary<TKey, TValue> left, IReadOnlyDictionary<TKey, TValue> right)
        where TKey : notnull =>
        left.Count == right.Count && left.All(e => right.TryGetValue(e.Key, out var value) && EqualityComparer<TValue>.Default.Equals(value, e.Value));
}
