namespace Lambda.Shared.AdHoc;

/// <summary>The file format of an ad hoc job's result (names by <see cref="AdHocJobFormatNames"/>).</summary>
public enum AdHocJobFormat
{
    /// <summary>Parquet (<c>result.parquet</c>).</summary>
    Parquet,

    /// <summary>CSV with a header row (<c>result.csv</c>).</summary>
    Csv,
}
