using System.Globalization;
using System.Text.Json;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;

namespace Lambda.Shared.Tests.SpeedViews;

/// <summary>
/// The progress queries on a real server: right answers, and rows read (the server's own statistics, FORMAT JSON) that
/// stay near a few granules per partition however large the table, where a whole-table scan reads every row.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class SpeedTableQueriesStackTests
{
    private const int Partitions = 8;
    private const int FlushesPerPartition = 100;
    private const int RowsPerFlush = 100;
    private const long FlushLength = 1_000;
    private static readonly SpeedTableSchema Schema = SpeedTableSchema.For(TestCatalogs.RevenueByCountry);

    [Fact]
    public async Task Progress_reads_bounded_by_known_positions_read_a_few_granules_per_partition_and_find_unlisted_partitions()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_queries");
        await db.Client.ExecuteAsync(Schema.CreateTableSql(db.Name), null, CancellationToken.None);
        // Flush f of partition p covers offsets [f * 1000, f * 1000 + 999] in RowsPerFlush rows (groups of scattered buckets).
        const long total = (long)Partitions * FlushesPerPartition * RowsPerFlush;
        await db.Client.ExecuteAsync(
            $"INSERT INTO {ClickHouseSql.QualifiedName(db.Name, Schema.TableName)} (`kind`, `partition`, `first_offset`, `last_offset`, `flushed_at`, `bucket`) "
            + $"SELECT 0, toUInt16(intDiv(number, {FlushesPerPartition * RowsPerFlush})), intDiv(number % {FlushesPerPartition * RowsPerFlush}, {RowsPerFlush}) * {FlushLength}, "
            + $"intDiv(number % {FlushesPerPartition * RowsPerFlush}, {RowsPerFlush}) * {FlushLength} + {FlushLength - 1}, toDateTime(1700000000), toDateTime(1700000000 + (number % {RowsPerFlush}) * 60) "
            + $"FROM system.numbers LIMIT {total}",
            null,
            CancellationToken.None);
        const long newest = (FlushesPerPartition - 1) * FlushLength + FlushLength - 1;
        // Every partition but 3 and 6 is known, at its newest flush: those two must be found all the same.
        var since = Enumerable.Range(0, Partitions).Where(p => p is not 3 and not 6).ToDictionary(p => p, _ => newest);

        var (rows, read) = await RunAsync(db, SpeedTableQueries.MaxOffsetsSql(db.Name, Schema, since));
        var (_, whole) = await RunAsync(db, SpeedTableQueries.MaxOffsetsSql(db.Name, Schema));

        Assert.Equal(Enumerable.Range(0, Partitions).Select(p => $"{p}:{newest}"), rows.Order(StringComparer.Ordinal));
        Assert.Equal(total, whole);
        // The known partitions: the granules holding their last flush (100 rows: at most 2 granules of 256); the two
        // unknown ones whole (10,000 rows each).
        var bound = (2L * FlushesPerPartition * RowsPerFlush) + ((Partitions - 2) * 3L * SpeedTableSchema.IndexGranularity);
        Assert.True(read <= bound, $"the bounded read read {read} of {total} rows (bound {bound})");
    }

    private static async Task<(IReadOnlyList<string> Rows, long RowsRead)> RunAsync(ClickHouseTestDatabase db, string sql)
    {
        using var http = new HttpClient();
        using var body = new StringContent(sql + " FORMAT JSON");
        using var response = await http.PostAsync(new Uri(db.Url, "?database=" + Uri.EscapeDataString(db.Name)), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        var rows = json.RootElement.GetProperty("data").EnumerateArray()
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{ToLong(r.GetProperty("partition"))}:{ToLong(r.GetProperty("max(last_offset)"))}"))
            .ToArray();
        return (rows, ToLong(json.RootElement.GetProperty("statistics").GetProperty("rows_read")));
    }

    /// <summary>FORMAT JSON quotes 64-bit integers (output_format_json_quote_64bit_integers).</summary>
    private static long ToLong(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();
}
