using System.Diagnostics;
using Lambda.Shared.ClickHouse;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.ClickHouse;

// Prints figures only; asserts correctness, never speed.
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ClickHouseThroughputTests(ClickHouseFixture fixture, ITestOutputHelper output) : IClassFixture<ClickHouseFixture>
{
    private const int BatchSize = 100_000;

    private sealed record OrderRow(string OrderId, string UserId, string Country, decimal Amount, string Status, DateTime Ts, ushort Partition, ulong Offset);

    [Fact]
    public async Task RowBinary_inserts_in_100k_row_batches_and_streamed_reads()
    {
        var client = fixture.Client;
        await client.ExecuteAsync(
            """
            CREATE TABLE orders_bench
            (
                order_id String, user_id String, country String, amount Decimal(18, 2), status String,
                ts DateTime, kafka_partition UInt16, kafka_offset UInt64
            )
            ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY (country, ts)
            """);

        string[] countries = ["US", "DE", "FR", "JP", "BR", "IN", "GB", "CA"];
        string[] statuses = ["paid", "paid", "paid", "failed", "refunded"];
        var random = new Random(1);
        var start = new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);
        var batch = Enumerable.Range(0, BatchSize).Select(i => new OrderRow(
            $"o-{i:D10}", $"u-{random.Next(1_000_000):D7}", countries[random.Next(countries.Length)],
            random.Next(1, 1_000_000) / 100m, statuses[random.Next(statuses.Length)], start.AddSeconds(i % 86_400),
            (ushort)(i % 64), (ulong)i)).ToList();

        static void Write(RowBinaryWriter w, OrderRow r)
        {
            w.WriteString(r.OrderId);
            w.WriteString(r.UserId);
            w.WriteString(r.Country);
            w.WriteDecimal64(r.Amount, 2);
            w.WriteString(r.Status);
            w.WriteDateTime(r.Ts);
            w.WriteUInt16(r.Partition);
            w.WriteUInt64(r.Offset);
        }

        string[] columns = ["order_id", "user_id", "country", "amount", "status", "ts", "kafka_partition", "kafka_offset"];
        await client.InsertAsync("orders_bench", columns, batch.Take(1000), Write); // warm-up (JIT, connection)

        foreach (var (label, compress, batches) in new[] { ("RowBinary", false, 10), ("RowBinary+gzip", true, 3) })
        {
            var options = new ClickHouseCallOptions { Compress = compress };
            var timings = new List<double>();
            for (var b = 0; b < batches; b++)
            {
                var watch = Stopwatch.StartNew();
                Assert.Equal(BatchSize, await client.InsertAsync("orders_bench", columns, batch, Write, options));
                timings.Add(watch.Elapsed.TotalSeconds);
            }

            output.WriteLine($"{label} batch seconds: {string.Join(" ", timings.Select(t => t.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}");
            timings.Sort();
            output.WriteLine(
                $"{label}: {batches} x {BatchSize:N0} rows, median {BatchSize / timings[timings.Count / 2]:N0} rows/s, " +
                $"best {BatchSize / timings[0]:N0} rows/s, overall {batches * BatchSize / timings.Sum():N0} rows/s");
        }

        const ulong expected = 1000 + (13 * BatchSize);
        Assert.Equal(expected, await client.QueryScalarAsync<ulong>("SELECT count() FROM orders_bench"));

        var read = Stopwatch.StartNew();
        long rows = 0;
        decimal total = 0;
        await foreach (var row in client.QueryAsync("SELECT order_id, country, amount, ts, kafka_offset FROM orders_bench"))
        {
            total += row.GetDecimal(2);
            rows++;
        }

        output.WriteLine($"Streamed read (TabSeparatedWithNamesAndTypes): {rows:N0} rows in {read.Elapsed.TotalSeconds:0.00} s, {rows / read.Elapsed.TotalSeconds:N0} rows/s");
        Assert.Equal((long)expected, rows);
        Assert.Equal(await client.QueryScalarAsync<decimal>("SELECT sum(amount) FROM orders_bench"), total);

        var groupBy = Stopwatch.StartNew();
        var groups = await client.QueryRowsAsync(
            "SELECT country, toStartOfMinute(ts) AS minute, count(), sum(amount) FROM orders_bench WHERE status = 'paid' GROUP BY country, minute");
        output.WriteLine($"Group-by over {expected:N0} rows to {groups.Count:N0} rows: {groupBy.Elapsed.TotalMilliseconds:0} ms (including transfer and parsing)");
        var expectedGroups = batch.Where(r => r.Status == "paid")
            .Select(r => (r.Country, Minute: r.Ts.Ticks / TimeSpan.TicksPerMinute)).Distinct().Count();
        Assert.Equal(expectedGroups, groups.Count);
    }
}
