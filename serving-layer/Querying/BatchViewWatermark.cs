namespace Lambda.ServingLayer.Querying;

/// <summary>What the manifest says about one published batch view.</summary>
/// <param name="View">The view name.</param>
/// <param name="DefinitionHash">The view's definition hash the batch view was computed with.</param>
/// <param name="RunId">The recompute run that produced it.</param>
/// <param name="Partitions">Per Kafka partition of the view's source, the exclusive offset watermark S_p:
/// events with offset &lt; S_p are in the batch view. A partition that is absent has S_p = 0.</param>
/// <param name="PublishedAt">When the run was published (UTC), when the manifest records it.</param>
public sealed record BatchViewWatermark(
    string View,
    string DefinitionHash,
    string RunId,
    IReadOnlyDictionary<int, long> Partitions,
    DateTimeOffset? PublishedAt = null);
