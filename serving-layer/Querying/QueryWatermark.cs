namespace Lambda.ServingLayer.Querying;

/// <summary>The offsets a query result was merged at.</summary>
/// <param name="RunId">The batch run whose view was used; null when none was (nothing published, or published for another definition).</param>
/// <param name="BatchPublishedAt">When that run was published, when known.</param>
/// <param name="Partitions">Per partition, the watermark S_p: events below it came from the batch view, the rest from speed deltas.</param>
/// <param name="SpeedOffsets">Per partition, the offset after the newest speed flush seen.</param>
public sealed record QueryWatermark(
    string? RunId,
    DateTimeOffset? BatchPublishedAt,
    IReadOnlyDictionary<int, long> Partitions,
    IReadOnlyDictionary<int, long> SpeedOffsets);
