namespace Lambda.BatchLayer.Status;

/// <summary>
/// One row of <c>batch_run_days</c>: a (view, day) file a run published, kept as history. What is loaded into
/// ClickHouse is decided from the dataset root's manifest and recorded in ClickHouse, not here: this table is
/// shared by every dataset root that uses the same PostgreSQL.
/// </summary>
/// <param name="RunId">The run that published it.</param>
/// <param name="View">View name.</param>
/// <param name="ViewHash">The view's definition hash when it was published.</param>
/// <param name="Day">UTC day.</param>
/// <param name="File">Path of the Parquet file, relative to the dataset root.</param>
/// <param name="Rows">Rows in the file.</param>
/// <param name="PublishedAt">When the run recorded it (UTC).</param>
public sealed record BatchRunDay(
    Guid RunId,
    string View,
    string ViewHash,
    DateOnly Day,
    string File,
    long Rows,
    DateTimeOffset PublishedAt);
