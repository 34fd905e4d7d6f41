namespace Lambda.BatchLayer.Recompute;

/// <summary>What a chunk worker needs of one view of the run: the definition it was planned with and its new watermarks.</summary>
/// <param name="View">View name.</param>
/// <param name="DefinitionHash">The definition the coordinator planned; a worker whose catalog defines the view otherwise refuses the chunk.</param>
/// <param name="Watermarks">The run's new watermark per partition (exclusive): the chunk counts exactly the archived rows below it.</param>
public sealed record ChunkViewSpec(string View, string DefinitionHash, IReadOnlyDictionary<int, long> Watermarks);
