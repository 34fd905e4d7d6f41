namespace Lambda.ServingLayer.Querying;

/// <summary>
/// What a later refresh of the same query can start from instead of merging everything again: the merged rows
/// (frozen; forked on refresh). The batch view they hold and where each partition's unmerged speed flushes start
/// are the answer's own <see cref="Lambda.Shared.BatchViews.ViewWatermark"/>.
/// </summary>
/// <param name="Accumulator">The merged rows.</param>
/// <param name="RebasedAt">When the rows were last merged from scratch (<see cref="TimeProvider.GetTimestamp"/>).</param>
internal sealed record ResultBasis(ResultAccumulator Accumulator, long RebasedAt);
