namespace Lambda.BatchLayer.Recompute;

/// <summary>What a finished chunk produced.</summary>
/// <param name="Number">The chunk's number.</param>
/// <param name="Rows">Batch-view rows (groups) written.</param>
/// <param name="File">The day file written, relative to the dataset root; null when the day has no group (nothing written).</param>
/// <param name="RowsRead">Master-dataset rows read.</param>
public sealed record ChunkOutcome(int Number, long Rows, string? File, long RowsRead);
