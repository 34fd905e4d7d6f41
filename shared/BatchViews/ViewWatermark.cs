namespace Lambda.Shared.BatchViews;

/// <summary>
/// The offsets a view's data is complete up to: the one watermark type from the manifest (a published batch view,
/// <see cref="BatchViewEntry.Watermark"/>) through the serving layer's query engine to the <c>watermark</c> member of
/// a query's answer, whose JSON names are these members' snake_case names.
/// </summary>
/// <param name="RunId">The batch run whose view it holds; null when it holds none (nothing published, or published for another definition).</param>
/// <param name="PublishedAt">When that run published the view (UTC), when known.</param>
/// <param name="DefinitionHash">The view definition (<see cref="Catalog.ViewDefinition.DefinitionHash"/>) the offsets are for.</param>
/// <param name="Partitions">Per Kafka partition of the view's source, the exclusive watermark S_p: events with offset
/// &lt; S_p come from the batch view. A partition that is absent has S_p = 0.</param>
/// <param name="Speed">Per Kafka partition, the offset after the newest speed delta merged; empty for a published batch view on its own.</param>
public sealed record ViewWatermark(
    string? RunId,
    DateTimeOffset? PublishedAt,
    string DefinitionHash,
    IReadOnlyDictionary<int, long> Partitions,
    IReadOnlyDictionary<int, long> Speed)
{
    /// <summary>No offsets: no partition named.</summary>
    public static IReadOnlyDictionary<int, long> NoOffsets { get; } = new Dictionary<int, long>();

    /// <summary>True when <paramref name="other"/> holds the same batch view: the same run and the same S_p for every partition.</summary>
    public bool HoldsSameBatchAs(ViewWatermark? other) =>
        string.Equals(RunId, other?.RunId, StringComparison.Ordinal)
        && Partitions.Count == (other?.Partitions.Count ?? 0)
        && Partitions.All(p => other!.Partitions.TryGetValue(p.Key, out var s) && s == p.Value);
}
