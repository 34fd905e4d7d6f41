using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;

namespace Lambda.Benchmarks.Batch;

/// <summary>
/// DuckDB computing the default catalog's lookup views over the same Parquet files: <c>revenue_by_region</c> (paid orders
/// per minute, LEFT JOIN <c>countries</c>: count and sum of amount by region) and <c>payments_volume_eur</c> (succeeded
/// payments per hour, ASOF LEFT JOIN <c>fx_rates</c> on the rate valid at the event time: count and sum of amount × rate by
/// method). The reference tables are loaded from the same CSV inside the timed part. A sum of no values is NULL in SQL
/// and 0 in the platform; both read as 0 here.
/// </summary>
internal static class DuckDbLookupBaseline
{
    public const string NullText = "(null)";

    public static (TimeSpan Elapsed, Dictionary<string, Numbers> Results) Run(string orders, string payments)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        Execute(connection, "SET TimeZone = 'UTC'");
        var clock = Stopwatch.StartNew();
        Execute(connection, "CREATE TABLE countries (country VARCHAR, region VARCHAR, currency VARCHAR)");
        Execute(connection, "CREATE TABLE fx_rates (currency VARCHAR, valid_from TIMESTAMPTZ, rate_to_eur DECIMAL(18,4))");
        Insert(connection, "countries", BenchmarkReferenceData.CountriesCsv, cells => $"('{cells[0]}', '{cells[1]}', '{cells[2]}')");
        Insert(connection, "fx_rates", BenchmarkReferenceData.FxRatesCsv, cells => $"('{cells[0]}', TIMESTAMPTZ '{cells[1]} 00:00:00+00', {cells[2]})");
        var results = new Dictionary<string, Numbers>(StringComparer.Ordinal);
        Read(connection, results, "revenue_by_region", $"""
            SELECT epoch_ms(time_bucket(INTERVAL 1 minute, o.event_time)), c.region, count(*), sum(o.amount)
            FROM read_parquet({orders}) o LEFT JOIN countries c ON o.country = c.country
            WHERE o.status = 'paid' GROUP BY ALL
            """);
        Read(connection, results, "payments_volume_eur", $"""
            SELECT epoch_ms(date_trunc('hour', p.event_time)), p.method, count(*), sum(p.amount * f.rate_to_eur)
            FROM read_parquet({payments}) p ASOF LEFT JOIN fx_rates f ON p.currency = f.currency AND p.event_time >= f.valid_from
            WHERE p.succeeded GROUP BY ALL
            """);
        return (clock.Elapsed, results);
    }

    private static void Insert(DuckDBConnection connection, string table, string csv, Func<string[], string> row)
    {
        var values = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Select(line => row(line.Split(',')));
        Execute(connection, $"INSERT INTO {table} VALUES {string.Join(", ", values)}");
    }

    private static void Read(DuckDBConnection connection, Dictionary<string, Numbers> results, string view, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var dimension = reader.IsDBNull(1) ? NullText : reader.GetString(1);
            var sum = reader.IsDBNull(3) ? 0m : Convert.ToDecimal(reader.GetValue(3), CultureInfo.InvariantCulture);
            results[Numbers.Key(view, reader.GetInt64(0), dimension)] = new Numbers(reader.GetInt64(2), sum, null);
        }
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
