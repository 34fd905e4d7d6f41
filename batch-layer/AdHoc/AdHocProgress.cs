namespace Lambda.BatchLayer.AdHoc;

/// <summary>Progress of a running ad hoc query, as DuckDB reports it.</summary>
/// <param name="Percent">0–100; DuckDB's estimate.</param>
/// <param name="RowsProcessed">Rows processed so far.</param>
/// <param name="TotalRows">Rows DuckDB expects to process.</param>
public sealed record AdHocProgress(double Percent, ulong RowsProcessed, ulong TotalRows);
