using System.Globalization;

namespace Lambda.Benchmarks.Soak;

/// <summary>Prints the samples as a Markdown table (ready for a README).</summary>
internal static class SoakTable
{
    public static void Print(IReadOnlyList<SoakRow> rows, TextWriter output)
    {
        output.WriteLine("| min | events accepted | 503 refusals | ingest p50 / p99 ms | RSS serving / speed / batch MiB | speed lag | archiver lag | dataset files | files per flush |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var rss = string.Join(" / ", SoakEndpoints.Services.Select(s => Number(row.Platform.RssMiB.GetValueOrDefault(s))));
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {row.Elapsed.TotalMinutes:0.#} | {row.Accepted:N0} | {row.Refused:N0} | {Number(row.IngestP50Ms, "0.0")} / {Number(row.IngestP99Ms, "0.0")} | {rss} | {Number(row.Platform.SpeedLag)} | {Number(row.Platform.ArchiverLag)} | {Number(row.Platform.DatasetFiles)} | {Number(row.FilesPerFlush, "0.0")} |"));
        }
    }

    public static string Number(double? value, string format = "N0") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    public static string Number(long? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "-";
}
