namespace Lambda.ServingLayer.Contracts;

/// <summary>The watermark member of a view query's body (for the OpenAPI document).</summary>
/// <param name="RunId">The batch run whose view was merged; null when none was.</param>
/// <param name="PublishedAt">When that run was published, when known.</param>
/// <param name="DefinitionHash">The view definition answered.</param>
/// <param name="Partitions">Per Kafka partition: S_p, the offset below which events come from the batch view.</param>
/// <param name="Speed">Per Kafka partition: the offset after the newest speed delta.</param>
public sealed record QueryWatermarkDocument(
    string? RunId,
    DateTime? PublishedAt,
    string DefinitionHash,
    IReadOnlyDictionary<string, long> Partitions,
    IReadOnlyDictionary<string, long> Speed);
