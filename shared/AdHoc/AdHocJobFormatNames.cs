using System.Diagnostics.CodeAnalysis;

namespace Lambda.Shared.AdHoc;

/// <summary>The names of <see cref="AdHocJobFormat"/> (<c>parquet</c>, <c>csv</c>), their file extensions and media types.</summary>
public static class AdHocJobFormatNames
{
    /// <summary>Every name, as the API lists them.</summary>
    public static readonly IReadOnlyList<string> All = ["parquet", "csv"];

    /// <summary>The name of <paramref name="format"/>.</summary>
    public static string ToName(this AdHocJobFormat format) => format switch
    {
        AdHocJobFormat.Parquet => "parquet",
        AdHocJobFormat.Csv => "csv",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown ad hoc job format"),
    };

    /// <summary>The media type of a result file.</summary>
    public static string MediaType(this AdHocJobFormat format) => format switch
    {
        AdHocJobFormat.Parquet => "application/vnd.apache.parquet",
        AdHocJobFormat.Csv => "text/csv",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown ad hoc job format"),
    };

    /// <summary>The format named <paramref name="name"/> (exact, lower case).</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out AdHocJobFormat? format)
    {
        format = name switch
        {
            "parquet" => AdHocJobFormat.Parquet,
            "csv" => AdHocJobFormat.Csv,
            _ => null,
        };
        return format is not null;
    }
}
