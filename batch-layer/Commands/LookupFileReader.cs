using System.Globalization;
using DuckDB.NET.Data;
using Lambda.Shared.Lookups;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// Reads the rows of a lookup from a CSV file (header line of column names) or a Parquet file (<c>.parquet</c>, columns
/// named like the lookup's; read with the batch layer's embedded DuckDB, so any Parquet type DuckDB reads will do).
/// </summary>
internal static class LookupFileReader
{
    public static async Task<IReadOnlyList<LookupRow>> ReadAsync(LookupDefinition lookup, string path, CancellationToken cancellationToken)
    {
        if (!path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            return LookupRowsReader.FromCsv(lookup, await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
        }

        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{path.Replace("'", "''", StringComparison.Ordinal)}')";
        var rows = new List<(string, IReadOnlyList<string?>)>();
        string[] header;
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            header = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var cells = new string?[header.Length];
                for (var c = 0; c < cells.Length; c++)
                {
                    cells[c] = reader.IsDBNull(c) ? null : Text(reader.GetValue(c));
                }

                rows.Add(($"row {rows.Count + 1}", cells));
            }
        }
        catch (DuckDBException ex)
        {
            throw new LookupPublishException("body", $"'{Path.GetFileName(path)}' cannot be read as Parquet: {ex.Message}");
        }

        return LookupRowsReader.FromCells(lookup, header, rows);
    }

    /// <summary>A Parquet value as the text the lookup's cells are parsed from (invariant culture; instants in UTC ISO-8601).</summary>
    private static string? Text(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
