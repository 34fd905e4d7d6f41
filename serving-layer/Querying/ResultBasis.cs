namespace Lambda.ServingLayer.Querying;

/// <summary>
/// What a later refresh of the same query can start from instead of merging everything again: the merged rows
/// (frozen; forked on refresh), the batch view they hold and how far they hold each partition's speed flushes.
/// </summary>
/// <param name="BatchRunId">The run of the batch view merged in; null when none was.</param>
/// <param name="BatchWatermark">That view's S_p per partition (empty when none was merged).</param>
/// <param name="Accumulator">The merged rows.</param>
/// <param name="SpeedNext">Per partition, where the speed flushes not merged yet start.</param>
/// <param name="RebasedAt">When the rows were last merged from scratch (<see cref="TimeProvider.GetTimestamp"/>).</param>
internal sealed record ResultBasis(
    string? BatchRunId,
    IReadOnlyDictionary<int, long> BatchWatermark,
    ResultAccumulator Accumulator,
    IReadOnlyDictionary<int, long> SpeedNext,
    long RebasedAt)
{
    /// <summary>True when <paramref name="watermark"/> (the batch view a refresh would merge) is the one merged here.</summary>
    public bool HoldsBatch(BatchViewWatermark? watermark) =>
        string.Equals(BatchRunId, watermark?.RunId, StringComparison.Ordinal)
        && SameOffsets(BatchWatermark, watermark?.Partitions ?? new Dictionary<int, long>());

    private static bool SameOffsets(IReadOnlyDictionary<int, long> a, IReadOnlyDictionary<int, long> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);
}
