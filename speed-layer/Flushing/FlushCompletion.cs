using Lambda.Shared.Catalog;

namespace Lambda.SpeedLayer.Flushing;

/// <summary>A batch is in ClickHouse: per partition, the last offset now stored for the view.</summary>
/// <param name="View">The view.</param>
/// <param name="Topic">The source topic.</param>
/// <param name="LastOffsets">Partition → last offset stored by this flush.</param>
internal sealed record FlushCompletion(ViewDefinition View, string Topic, IReadOnlyDictionary<int, long> LastOffsets);
