using System.Diagnostics;
using DuckDB.NET.Data;

namespace Lambda.Benchmarks.Batch;

/// <summary>
/// The plain DuckDB GROUP BYs computing the same numbers as the two orders views over the same files:
/// revenue_by_country (paid orders per minute and country: count, sum, max) and orders_by_status (per hour
/// and status: count, sum, and the sum and count behind avg), optionally with approx_count_distinct(user_id)
/// standing in for the views' HyperLogLog measures.
/// </summary>
internal static class DuckDbBaseline
{
    public static (TimeSpan Elapsed, Dictionary<string, Numbers> Results) Run(string files, bool withDistinct)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        Execute(connection, "SET TimeZone = 'UTC'");
        var distinct = withDistinct ? ", approx_count_distinct(user_id)" : string.Empty;
        var clock = Stopwatch.StartNew();
        var results = new Dictionary<string, Numbers>(StringComparer.Ordinal);
        Read(connection, results, "revenue_by_country", $"""
            SELECT epoch_ms(time_bucket(INTERVAL 1 minute, event_time)), country, count(*), sum(amount), max(amount){distinct}
            FROM read_parquet({files}) WHERE status = 'paid' GROUP BY ALL
            """);
        Read(connection, results, "orders_by_status", $"""
            SELECT epoch_ms(date_trunc('hour', event_time)), status, count(*), sum(amount), NULL{distinct}
            FROM read_parquet({files}) GROUP BY ALL
            """);
        return (clock.Elapsed, results);
    }

    private static void Read(DuckDBConnection connection, Dictionary<string, Numbers> results, string view, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            results[Numbers.Key(view, reader.GetInt64(0), reader.GetString(1))] = new Numbers(reader.GetInt64(2), reader.GetDecimal(3), reader.IsDBNull(4) ? null : reader.GetDecimal(4));
        }
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
