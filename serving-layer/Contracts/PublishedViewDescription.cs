using Lambda.Shared.BatchViews;

namespace Lambda.ServingLayer.Contracts;

/// <summary>A published batch view as the manifest records it.</summary>
/// <param name="RunId">The run that produced it.</param>
/// <param name="DefinitionHash">The view definition it was computed for.</param>
/// <param name="Current">True when that is the catalog's current definition (otherwise queries serve speed data only).</param>
/// <param name="PublishedAt">When it was published (UTC), when known.</param>
/// <param name="Partitions">Per Kafka partition, the offset watermark S_p (events below it are in the batch view).</param>
public sealed record PublishedViewDescription(
    string RunId,
    string DefinitionHash,
    bool Current,
    DateTime? PublishedAt,
    IReadOnlyDictionary<string, long> Partitions)
{
    /// <summary>Describes <paramref name="watermark"/> (a manifest entry's); <paramref name="currentHash"/> is the catalog's hash of the view, if it still exists.</summary>
    public static PublishedViewDescription From(ViewWatermark watermark, string? currentHash)
    {
        ArgumentNullException.ThrowIfNull(watermark);
        return new PublishedViewDescription(
            watermark.RunId ?? throw new ArgumentException("a published view has a run id", nameof(watermark)),
            watermark.DefinitionHash,
            string.Equals(watermark.DefinitionHash, currentHash, StringComparison.Ordinal),
            watermark.PublishedAt?.UtcDateTime,
            watermark.Partitions.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value));
    }
}
