namespace Lambda.BatchLayer.Recompute;

/// <summary>One recomputed day of one view.</summary>
/// <param name="View">View name.</param>
/// <param name="Day">UTC day.</param>
/// <param name="Rows">Batch-view rows (groups) of that day.</param>
/// <param name="File">Path of the published Parquet file, relative to the dataset root.</param>
public sealed record RecomputedDay(string View, DateOnly Day, long Rows, string File);
