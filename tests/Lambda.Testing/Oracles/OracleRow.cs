namespace Lambda.Testing.Oracles;

/// <summary>
/// One expected row: its bucket start (epoch milliseconds), the canonical text of its dimension values (see
/// <see cref="JsonViewOracle"/>) and one accumulator per measure of the view, in the view's order.
/// </summary>
public sealed record OracleRow(long Bucket, IReadOnlyList<string> Dimensions, IReadOnlyList<OracleAccumulator> Measures);
