namespace Lambda.BatchLayer.AdHoc;

/// <summary>Where the result of an ad hoc query goes.</summary>
public enum AdHocOutputFormat
{
    /// <summary>A table on the console.</summary>
    Table,

    /// <summary>A CSV file with a header row (DuckDB <c>COPY ... (FORMAT csv, HEADER true)</c>).</summary>
    Csv,

    /// <summary>A Parquet file (DuckDB <c>COPY ... (FORMAT parquet)</c>).</summary>
    Parquet,
}
