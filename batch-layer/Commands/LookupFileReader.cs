using Lambda.Shared.Lookups;

namespace Lambda.BatchLayer.Commands;

/// <summary>Reads the rows of a lookup from a CSV file (header line of column names).</summary>
internal static class LookupFileReader
{
    public static async Task<IReadOnlyList<LookupRow>> ReadAsync(LookupDefinition lookup, string path, CancellationToken cancellationToken)
    {
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            throw new LookupPublishException("body", "Parquet lookup files are not supported yet; export the rows as CSV");
        }

        return LookupRowsReader.FromCsv(lookup, await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
    }
}
