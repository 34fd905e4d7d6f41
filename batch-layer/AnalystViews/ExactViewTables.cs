using Lambda.Shared.ClickHouse;

namespace Lambda.BatchLayer.AnalystViews;

/// <summary>
/// The platform tables behind the analysts' exact views, one set per ClickHouse database (DDL idempotent). The design is in
/// docs/design-notes.md, "Exact analyst views in ClickHouse".
/// </summary>
public static class ExactViewTables
{
    /// <summary>
    /// The pointer: per (view, definition hash) the batch run its exact view reads, with that run's days (and the run that
    /// computed each day's file) and watermark positions as arrays, so one read of one row tells a query everything it
    /// needs about the run. ReplacingMergeTree(version): the row with the highest version is current; it is written last.
    /// </summary>
    public const string CurrentRuns = "lambda_current_runs";

    /// <summary>The watermarks of every run a load published, one row per (run, view, partition): written before the pointer.</summary>
    public const string Watermarks = "lambda_watermarks";

    /// <summary>Which (day, file run) partitions of a view's run-tagged batch table are loaded (written after each swap).</summary>
    public const string Files = "lambda_batch_files";

    /// <summary>The run column of the run-tagged batch tables (the <c>__</c> prefix is reserved: no dimension or measure has it).</summary>
    public const string RunColumn = "__run";

    /// <summary>Prefix of the run-tagged batch tables: <c>batch_runs_&lt;view&gt;_&lt;hash8&gt;</c>.</summary>
    public const string RunTablePrefix = "batch_runs_";

    /// <summary>DDL of <see cref="CurrentRuns"/>.</summary>
    public static string CreateCurrentRunsSql(string database) =>
        $"CREATE TABLE IF NOT EXISTS {ClickHouseSql.QualifiedName(database, CurrentRuns)} "
        + "(view String, definition_hash String, run_id String, published_at DateTime, days Array(Date), day_runs Array(String), "
        + "wm_partitions Array(UInt16), wm_positions Array(Int64), version UInt64) "
        + "ENGINE = ReplacingMergeTree(version) ORDER BY (view, definition_hash)";

    /// <summary>DDL of <see cref="Watermarks"/>.</summary>
    public static string CreateWatermarksSql(string database) =>
        $"CREATE TABLE IF NOT EXISTS {ClickHouseSql.QualifiedName(database, Watermarks)} "
        + "(run String, view String, definition_hash String, epoch UInt32, partition UInt16, offset Int64, position Int64, written_at DateTime) "
        + "ENGINE = ReplacingMergeTree() ORDER BY (view, definition_hash, run, partition)";

    /// <summary>DDL of <see cref="Files"/>.</summary>
    public static string CreateFilesSql(string database) =>
        $"CREATE TABLE IF NOT EXISTS {ClickHouseSql.QualifiedName(database, Files)} "
        + "(table String, day Date, file_run String, file String, rows UInt64, loaded_at DateTime) "
        + "ENGINE = ReplacingMergeTree() ORDER BY (table, day, file_run)";
}
