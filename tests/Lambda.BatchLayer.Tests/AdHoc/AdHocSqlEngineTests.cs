using System.Globalization;
using DuckDB.NET.Data;
using Lambda.BatchLayer.AdHoc;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Tests.Commands;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.BatchLayer.Tests.Loading;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.AdHoc;

/// <summary>Ad hoc SQL with the embedded DuckDB over real Parquet files of the master dataset and batch views.</summary>
public sealed class AdHocSqlEngineTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batch-adhoc-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task An_aggregate_over_the_master_dataset_returns_exactly_the_archived_rows()
    {
        var orders = MasterDatasetTestFiles.Orders(600);
        await MasterDatasetTestFiles.WriteOrdersAsync(_root, orders);
        using var session = await OpenAsync();

        var result = await session.QueryAsync(
            "SELECT country, count(*) AS n, sum(amount) AS total, min(kafka_offset) AS first_offset FROM master_orders WHERE status = 'paid' GROUP BY country ORDER BY country",
            100,
            null,
            CancellationToken.None);

        var expected = orders.Where(o => o.Status == "paid").GroupBy(o => o.Country).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (long)g.Count(), g.Sum(o => o.Amount), g.Min(o => o.Offset))).ToList();
        Assert.Equal(["country", "n", "total", "first_offset"], result.Columns.Select(c => c.Name));
        Assert.Equal(expected, result.Rows.Select(r => ((string)r[0]!, (long)r[1]!, (decimal)r[2]!, (long)r[3]!)));
        Assert.Equal(3, result.TotalRows);
        Assert.Equal(["master_orders"], session.Views.Keys);
    }

    [Fact]
    public async Task Hive_partitions_are_typed_columns_and_time_filters_see_every_matching_row()
    {
        var orders = MasterDatasetTestFiles.Orders(900);
        await MasterDatasetTestFiles.WriteOrdersAsync(_root, orders);
        using var session = await OpenAsync();

        var partitions = await session.QueryAsync(
            "SELECT date, hour, count(*) FROM master_orders GROUP BY date, hour ORDER BY date, hour", 1000, null, CancellationToken.None);
        var expected = orders.GroupBy(o => (DateOnly.FromDateTime(o.EventTime), o.EventTime.Hour)).OrderBy(g => g.Key)
            .Select(g => (g.Key.Item1, g.Key.Hour, (long)g.Count())).ToList();
        Assert.Equal(expected, partitions.Rows.Select(r => ((DateOnly)r[0]!, (int)r[1]!, (long)r[2]!)));

        var cut = new DateTime(2026, 11, 25, 3, 30, 0, DateTimeKind.Utc);
        var filtered = await session.QueryAsync(
            "SELECT count(*) FROM master_orders WHERE event_time >= TIMESTAMP '2026-11-25 03:30:00'", 1, null, CancellationToken.None);
        Assert.Equal((long)orders.Count(o => o.EventTime >= cut), (long)filtered.Rows[0][0]!);
    }

    [Fact]
    public async Task Old_hour_commits_and_new_flush_commits_read_as_one_dataset_before_and_after_compaction()
    {
        // The first 300 orders as an earlier build archived them (format 1, one file per hour), the rest as this
        // build does (one flush file per partition per commit, event times spread over 30 days).
        var orders = MasterDatasetTestFiles.Orders(900)
            .Select((o, i) => i < 300 ? o : o with { EventTime = o.EventTime.AddDays(-(i * 7 % 30)).AddMinutes(i % 60) })
            .ToList();
        await MasterDatasetTestFiles.WriteOrdersAsync(_root, orders.Take(300).ToList());
        var source = TestCatalogs.Default.GetSource("orders");
        var writer = new MasterDatasetWriter(_root, source, flushToDisk: false);
        var parser = new Lambda.Shared.Events.EventParser(source);
        foreach (var commit in orders.Skip(300).GroupBy(o => (o.Partition, Chunk: o.Offset / 100)))
        {
            var batch = new MasterPartitionBatch(source, commit.Key.Partition);
            foreach (var order in commit)
            {
                var json = $$"""{"ts":"{{order.EventTime:yyyy-MM-ddTHH:mm:ss.fffZ}}","order_id":"{{order.OrderId}}","user_id":"{{order.UserId}}","country":"{{order.Country}}","amount":{{order.Amount.ToString(CultureInfo.InvariantCulture)}},"status":"{{order.Status}}"}""";
                Assert.True(parser.TryParse(System.Text.Encoding.UTF8.GetBytes(json), out var record, out _));
                batch.Add(record, order.Offset);
            }

            var written = await writer.CommitAsync(batch, commit.Min(o => o.Offset), commit.Max(o => o.Offset), 0, CancellationToken.None);
            Assert.True(Assert.Single(written.Files).Days!.Count > 1);
        }

        var expected = orders.GroupBy(o => (DateOnly.FromDateTime(o.EventTime), o.EventTime.Hour)).OrderBy(g => g.Key)
            .Select(g => (g.Key.Item1, g.Key.Hour, (long)g.Count(), g.Sum(o => o.Amount))).ToList();
        const string ByHour = "SELECT date, hour, count(*), sum(amount) FROM master_orders GROUP BY date, hour ORDER BY date, hour";
        using (var session = await OpenAsync())
        {
            var before = await session.QueryAsync(ByHour, 10_000, null, CancellationToken.None);
            Assert.Equal(expected, before.Rows.Select(r => ((DateOnly)r[0]!, (int)r[1]!, (long)r[2]!, (decimal)r[3]!)));
        }

        var result = await new MasterDatasetCompactor(_root, source, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);
        // One day file per (partition, UTC date), whose hour DuckDB takes from the event time.
        Assert.Equal(orders.Select(o => (o.Partition, DateOnly.FromDateTime(o.EventTime))).Distinct().Count(), result.FilesAfter);
        using (var session = await OpenAsync())
        {
            var after = await session.QueryAsync(ByHour, 10_000, null, CancellationToken.None);
            Assert.Equal(expected, after.Rows.Select(r => ((DateOnly)r[0]!, (int)r[1]!, (long)r[2]!, (decimal)r[3]!)));
        }
    }

    [Fact]
    public async Task Batch_views_are_exposed_from_their_published_files()
    {
        var view = TestCatalogs.RevenueByCountry;
        var day1 = TestViews.Aggregate(view, TestViews.PaidOrders(new DateOnly(2026, 11, 24), 200));
        var day2 = TestViews.Aggregate(view, TestViews.PaidOrders(new DateOnly(2026, 11, 25), 100));
        var file1 = Path.Combine(_root, "views", "a.parquet");
        var file2 = Path.Combine(_root, "views", "b.parquet");
        await BatchViewTestFiles.WriteAsync(file1, view, day1);
        await BatchViewTestFiles.WriteAsync(file2, view, day2);
        using var session = await OpenAsync(new Dictionary<string, IReadOnlyList<string>> { [view.Name] = [file1, file2] });

        var result = await session.QueryAsync(
            "SELECT count(*), count(DISTINCT country), min(bucket), max(bucket), sum(orders_value) FROM batch_revenue_by_country", 1, null, CancellationToken.None);

        var all = day1.Concat(day2).ToList();
        var row = result.Rows[0];
        Assert.Equal((long)all.Count, (long)row[0]!);
        Assert.Equal(4L, (long)row[1]!);
        Assert.Equal(all.Min(g => g.BucketStart.UtcDateTime), (DateTime)row[2]!);
        Assert.Equal(all.Max(g => g.BucketStart.UtcDateTime), (DateTime)row[3]!);
        Assert.Equal(all.Sum(g => g.GetValue("orders").AsLong()), (long)(System.Numerics.BigInteger)row[4]!);
        Assert.Equal(["batch_revenue_by_country"], session.Views.Keys);
    }

    [Fact]
    public async Task Results_are_written_as_csv_and_parquet_with_duckdb_copy()
    {
        await MasterDatasetTestFiles.WriteOrdersAsync(_root, MasterDatasetTestFiles.Orders(300));
        var csv = Path.Combine(_root, "out", "result.csv");
        var parquet = Path.Combine(_root, "out", "result.parquet");
        using var session = await OpenAsync(outputs: [csv, parquet]);
        const string Sql = "SELECT country, count(*) AS n, sum(amount) AS total FROM master_orders GROUP BY country ORDER BY country;";
        var expected = await session.QueryAsync(Sql, 100, null, CancellationToken.None);

        Assert.Equal(3, await session.ExportAsync(Sql, csv, AdHocOutputFormat.Csv, null, CancellationToken.None));
        var lines = await File.ReadAllLinesAsync(csv);
        Assert.Equal(
            new[] { "country,n,total" }.Concat(expected.Rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r[0]},{r[1]},{(decimal)r[2]!:0.00}"))),
            lines);

        Assert.Equal(3, await session.ExportAsync(Sql, parquet, AdHocOutputFormat.Parquet, null, CancellationToken.None));
        using var check = new DuckDBConnection("Data Source=:memory:");
        check.Open();
        using var command = check.CreateCommand();
        command.CommandText = $"SELECT country, n, total FROM read_parquet({AdHocSession.QuoteString(parquet)}) ORDER BY country";
        using var reader = command.ExecuteReader();
        var back = new List<(string, long, decimal)>();
        while (reader.Read())
        {
            back.Add((reader.GetString(0), reader.GetInt64(1), reader.GetDecimal(2)));
        }

        Assert.Equal(expected.Rows.Select(r => ((string)r[0]!, (long)r[1]!, (decimal)r[2]!)), back);
    }

    [Fact]
    public async Task A_long_scan_reports_progress()
    {
        var big = Path.Combine(_root, "master", "big", "date=2026-11-24", "hour=00");
        Directory.CreateDirectory(big);
        using (var writer = new DuckDBConnection("Data Source=:memory:"))
        {
            writer.Open();
            using var command = writer.CreateCommand();
            command.CommandText = $"COPY (SELECT i, i % 977 AS k FROM range(12000000) t(i)) TO {AdHocSession.QuoteString(Path.Combine(big, "p0-0-11999999.parquet.tmp"))} (FORMAT parquet)";
            command.ExecuteNonQuery();
        }

        await MasterDatasetTestFiles.CommitAsync(_root, "big", 0, 0, 11_999_999, [
            new DatasetFile(MasterDatasetLayout.DataFile("big", new DateOnly(2026, 11, 24), 0, 0, 0, 11_999_999), 0, new DateOnly(2026, 11, 24), 0, 12_000_000, 0, 11_999_999, 0, 0)]);

        using var session = await OpenAsync();
        var reports = new List<AdHocProgress>();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var result = await session.QueryAsync(
            "SELECT k, count(DISTINCT i) FROM master_big GROUP BY k ORDER BY k", 5, new SynchronousProgressForTests<AdHocProgress>(reports.Add), CancellationToken.None);

        Assert.Equal(977, result.TotalRows);
        Assert.True(reports.Count > 0, "no progress after " + sw.ElapsedMilliseconds + " ms");
        Assert.All(reports, r => Assert.InRange(r.Percent, 0, 100));
        Assert.Contains(reports, r => r.RowsProcessed > 0);
    }

    [Fact]
    public async Task The_master_view_reads_exactly_the_committed_files_even_in_the_middle_of_a_compaction()
    {
        var orders = TestCatalogs.Default.GetSource("orders");
        var messages = OrderDatasets.Messages(orders, 1200, 2, seed: 21, total: 6000);
        await OrderDatasets.WriteAsync(_root, orders, messages, perCommit: 40);
        var valid = messages.Count(m => m.Event is not null);
        var compactor = new MasterDatasetCompactor(_root, orders, flushToDisk: false);
        compactor.AfterStep = step =>
        {
            if (step.StartsWith("deleted", StringComparison.Ordinal))
            {
                throw new SimulatedCrash(step);
            }
        };
        await Assert.ThrowsAsync<SimulatedCrash>(() => compactor.CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None));
        // Merged files and every file they replace are on disk now, plus a stray file no commit names.
        var snapshot = MasterDatasetSnapshot.Load(_root, orders.Name);
        var onDisk = Directory.GetFiles(Path.Combine(_root, "master"), "*.parquet", SearchOption.AllDirectories);
        Assert.True(onDisk.Length > snapshot.Files.Count, $"{onDisk.Length} files on disk, {snapshot.Files.Count} committed");
        File.Copy(snapshot.GetPath(snapshot.Files[0]), Path.Combine(Path.GetDirectoryName(snapshot.GetPath(snapshot.Files[0]))!, "p0-900000-900001.parquet"));

        using var session = await OpenAsync();
        var result = await session.QueryAsync(
            "SELECT count(*), count(DISTINCT (kafka_partition, kafka_offset)), count(DISTINCT date), min(hour) >= 0 AND max(hour) <= 23 FROM master_orders", 1, null, CancellationToken.None);

        Assert.Equal((long)valid, Convert.ToInt64(result.Rows[0][0], CultureInfo.InvariantCulture));
        Assert.Equal((long)valid, Convert.ToInt64(result.Rows[0][1], CultureInfo.InvariantCulture));
        Assert.Equal((long)snapshot.Days.Count, Convert.ToInt64(result.Rows[0][2], CultureInfo.InvariantCulture));
        Assert.Equal(true, result.Rows[0][3]);
    }

    [Fact]
    public async Task A_sql_error_names_the_problem()
    {
        using var session = await OpenAsync();
        var error = await Assert.ThrowsAsync<DuckDBException>(() => session.QueryAsync("SELECT * FROM master_nothing", 10, null, CancellationToken.None));
        Assert.Contains("master_nothing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_formats_follow_the_file_extension()
    {
        Assert.Equal(AdHocOutputFormat.Csv, AdHocSession.FormatFromPath("a/b.CSV"));
        Assert.Equal(AdHocOutputFormat.Parquet, AdHocSession.FormatFromPath("b.parquet"));
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => AdHocSession.FormatFromPath("b.json")).ParamName);
    }

    [Fact]
    public void Values_format_for_the_console()
    {
        Assert.Equal("NULL", AdHocValueFormatter.Format(null));
        Assert.Equal("2026-11-24", AdHocValueFormatter.Format(new DateOnly(2026, 11, 24)));
        Assert.Equal("2026-11-24 10:00:00.5", AdHocValueFormatter.Format(new DateTime(2026, 11, 24, 10, 0, 0, 500, DateTimeKind.Utc)));
        Assert.Equal("12.50", AdHocValueFormatter.Format(12.50m));
        Assert.Equal("0x00FF", AdHocValueFormatter.Format(new byte[] { 0, 255 }));
        Assert.StartsWith("0x000102030405060708090A0B0C0D0E0F… (20 bytes)", AdHocValueFormatter.Format(Enumerable.Range(0, 20).Select(i => (byte)i).ToArray()), StringComparison.Ordinal);
        Assert.Equal("[1, 2]", AdHocValueFormatter.Format(new List<int> { 1, 2 }));
        Assert.Equal("true", AdHocValueFormatter.Format(true));
    }

    private Task<AdHocSession> OpenAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? batchViews = null, IReadOnlyList<string>? outputs = null)
    {
        var engine = new AdHocSqlEngine(
            Options.Create(new BatchLayerOptions { DatasetRoot = _root }),
            new FixedBatchViewFiles(batchViews ?? new Dictionary<string, IReadOnlyList<string>>()),
            NullLogger<AdHocSqlEngine>.Instance);
        return engine.OpenAsync(null, CancellationToken.None, outputFiles: outputs);
    }
}
