using Lambda.Testing;
using System.Globalization;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;
using Lambda.Shared.Time;
using Lambda.SpeedLayer.Storage;
using Lambda.SpeedLayer.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Tests.Storage;

/// <summary>The speed layer's writer on the real ClickHouse server of the local stack (18.16): schema, inserts (read back with the shared row format) and resume offsets.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ClickHouseSpeedTableWriterTests
{
    private const string Topic = "shop-events";
    private static readonly LambdaCatalog Catalog = TestCatalog.Parse(Topic);

    [Fact]
    public async Task The_schema_is_created_once_with_metadata_and_analyst_views_and_again_without_changes()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        var logger = new FakeLogger<ClickHouseSpeedTableWriter>();
        var store = new ClickHouseSpeedTableWriter(db.Client, logger);

        var first = await store.EnsureSchemaAsync(Catalog.Views, CancellationToken.None);
        var second = await store.EnsureSchemaAsync(Catalog.Views, CancellationToken.None);

        Assert.Equal(Catalog.Views.Select(SpeedTableSchema.TableNameOf), first.Select(v => v.Table));
        Assert.All(first.Concat(second), v => Assert.False(v.DefinitionChanged));
        var tables = await Strings(db, $"SELECT name FROM system.tables WHERE database = '{db.Name}' ORDER BY name");
        var expected = Catalog.Views.SelectMany(v => new[] { SpeedTableSchema.For(v).AnalystViewName, SpeedTableSchema.TableNameOf(v) }).Append("speed_tables").Append("speed_fences").Order(StringComparer.Ordinal);
        Assert.Equal(expected, tables);
        var metadata = await Strings(db, "SELECT concat(view, ' ', version, ' ', table) FROM speed_tables ORDER BY view");
        Assert.Equal(Catalog.Views.Select(v => $"{v.Name} {SpeedTableSchema.VersionOf(v)} {SpeedTableSchema.TableNameOf(v)}").Order(StringComparer.Ordinal), metadata);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_changed_definition_is_reported_and_gets_a_new_table_version_while_the_old_table_is_left_as_it_is()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        var logger = new FakeLogger<ClickHouseSpeedTableWriter>();
        var store = new ClickHouseSpeedTableWriter(db.Client, logger);
        var old = Catalog.GetView("by_country");
        await store.EnsureSchemaAsync([old], CancellationToken.None);
        await store.InsertAsync(old, [new SpeedPartitionDelta(0, 0, 41, [])], DateTime.UtcNow, CancellationToken.None);
        var changedCatalog = CatalogLoader.Parse(TestCatalog.Yaml(Topic).Replace("where: status = 'paid'", "where: status = 'refunded'", StringComparison.Ordinal));
        var changed = changedCatalog.GetView("by_country");

        var versions = await store.EnsureSchemaAsync([changed], CancellationToken.None);

        var version = Assert.Single(versions);
        Assert.True(version.DefinitionChanged);
        Assert.Equal(SpeedTableSchema.VersionOf(old), version.PreviousVersion);
        Assert.Equal(SpeedTableSchema.TableNameOf(old), version.PreviousTable);
        Assert.NotEqual(version.PreviousTable, version.Table);
        var warning = Assert.Single(logger.Collector.GetSnapshot(), e => e.Level == LogLevel.Warning);
        Assert.Contains("definition changed, new table version", warning.Message, StringComparison.Ordinal);
        Assert.Equal(41, (await store.GetMaxOffsetsAsync(old, CancellationToken.None))[0]);
        Assert.Empty(await store.GetMaxOffsetsAsync(changed, CancellationToken.None));
        var analystView = await Strings(db, $"SELECT create_table_query FROM system.tables WHERE database = '{db.Name}' AND name = 'by_country_speed'");
        Assert.Contains(version.Table, Assert.Single(analystView), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deltas_of_every_measure_and_dimension_type_read_back_exactly_and_markers_are_not_read()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        var store = new ClickHouseSpeedTableWriter(db.Client, new FakeLogger<ClickHouseSpeedTableWriter>());
        await store.EnsureSchemaAsync(Catalog.Views, CancellationToken.None);
        await using var driver = new SpeedPipelineDriver(Catalog, DriverOptions(flushMaxEvents: 1_500), store);
        var oracle = Feed(driver, partitions: 3, count: 6_000, seed: 21);
        await driver.StartAsync(Topic, 0, 1, 2);

        await driver.PumpAsync();
        await driver.FlushAsync();

        Assert.Null(driver.Fault);
        foreach (var view in Catalog.Views)
        {
            oracle.AssertEqual(view, await SpeedTableContents.ReadGroupsAsync(db.Client, view));
            Assert.Equal(new Dictionary<int, long> { [0] = 1999, [1] = 1999, [2] = 1999 }, await store.GetMaxOffsetsAsync(view, CancellationToken.None));
        }

        var markers = await db.Client.QueryScalarAsync<ulong>(
            $"SELECT count() FROM {SpeedTableSchema.TableNameOf(Catalog.GetView("rare"))} WHERE kind = 1");
        Assert.True(markers >= 3, $"{markers} marker rows");
    }

    [Fact]
    public async Task Max_offsets_come_from_the_stored_ranges_bounded_where_asked()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        var store = new ClickHouseSpeedTableWriter(db.Client, new FakeLogger<ClickHouseSpeedTableWriter>());
        var view = Catalog.GetView("rare");
        Assert.Empty(await store.GetMaxOffsetsAsync(view, CancellationToken.None));
        await store.EnsureSchemaAsync([view], CancellationToken.None);
        foreach (var (p, first, last) in new[] { (0, 0L, 9L), (0, 10L, 24L), (0, 25L, 25L), (3, 0L, 99L), (3, 100L, 120L) })
        {
            await store.InsertAsync(view, [new SpeedPartitionDelta(p, first, last, [])], DateTime.UtcNow, CancellationToken.None);
        }

        Assert.Equal(new Dictionary<int, long> { [0] = 25, [3] = 120 }, await store.GetMaxOffsetsAsync(view, CancellationToken.None));
        Assert.Equal(
            new Dictionary<int, long> { [0] = 25, [3] = 120 },
            await store.GetMaxOffsetsAsync(view, new Dictionary<int, long?> { [0] = 10, [3] = null, [5] = null }, CancellationToken.None));
        Assert.Equal(
            new Dictionary<int, long> { [3] = 120 },
            await store.GetMaxOffsetsAsync(view, new Dictionary<int, long?> { [0] = 26, [3] = 120 }, CancellationToken.None));
    }

    [Fact]
    public async Task Analysts_read_dimensions_and_finalised_measures_as_typed_columns_with_plain_sql()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        var store = new ClickHouseSpeedTableWriter(db.Client, new FakeLogger<ClickHouseSpeedTableWriter>());
        await store.EnsureSchemaAsync(Catalog.Views, CancellationToken.None);
        await using var driver = new SpeedPipelineDriver(Catalog, DriverOptions(flushMaxEvents: 700), store);
        var oracle = Feed(driver, partitions: 2, count: 3_000, seed: 2);
        await driver.StartAsync(Topic, 0, 1);
        await driver.PumpAsync();
        await driver.FlushAsync();
        var view = Catalog.GetView("by_country");

        var types = await Strings(db, $"SELECT concat(name, ' ', type) FROM system.columns WHERE database = '{db.Name}' AND table = 'by_country_speed'");
        var rows = await db.Client.QueryRowsAsync(
            "SELECT country, sum(orders), sum(revenue), max(biggest), min(smallest), sum(avg_amount_sum), sum(avg_amount_count) FROM by_country_speed GROUP BY country ORDER BY country");

        Assert.Contains("country String", types);
        Assert.Contains("orders UInt64", types);
        Assert.Contains("revenue Decimal(18, 2)", types);
        Assert.Contains("biggest Decimal(18, 2)", types);
        Assert.Contains("buyers UInt64", types);
        Assert.Contains("buyers_state String", types);
        Assert.Contains("avg_amount Float64", types);
        Assert.DoesNotContain(types, t => t.StartsWith("kind ", StringComparison.Ordinal));
        var expected = oracle.Expected(view).GroupBy(g => g.GetDimension("country").AsString()).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        Assert.Equal(expected.Length, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var groups = expected[i];
            Assert.Equal(groups.Key, rows[i].GetString(0));
            Assert.Equal(groups.Sum(g => g.GetValue("orders").AsLong()), (long)rows[i].GetUInt64(1));
            Assert.Equal(groups.Sum(g => g.GetValue("revenue").AsDecimal()), rows[i].GetDecimal(2));
            Assert.Equal(groups.Max(g => g.GetValue("biggest").AsDecimal()), rows[i].GetDecimal(3));
            Assert.Equal(groups.Min(g => g.GetValue("smallest").AsDecimal()), rows[i].GetDecimal(4));
            Assert.Equal(groups.Sum(g => g.GetValue("revenue").AsDecimal()), rows[i].GetDecimal(5));
            Assert.Equal(groups.Sum(g => g.GetValue("orders").AsLong()), (long)rows[i].GetUInt64(6));
        }

        var estimate = await db.Client.QueryRowsAsync("SELECT buyers, buyers_state FROM by_country_speed LIMIT 1");
        Assert.Equal((long)estimate[0].GetUInt64(0), HyperLogLogEstimate(estimate[0].GetBytes(1)));
    }

    [Fact]
    public async Task Timestamp_values_are_stored_at_whole_seconds_because_clickhouse_18_has_no_datetime64()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        var catalog = CatalogLoader.Parse("""
            sources:
              s:
                topic: s
                time: ts
                fields: { shipped: timestamp, n: long }
            views:
              v:
                source: s
                granularity: day
                dimensions: [shipped]
                measures: { first: min(shipped), n: sum(n) }
            """);
        var view = catalog.GetView("v");
        var store = new ClickHouseSpeedTableWriter(db.Client, new FakeLogger<ClickHouseSpeedTableWriter>());
        await store.EnsureSchemaAsync([view], CancellationToken.None);
        var aggregator = new ViewAggregator(view);
        var record = new EventRecord(catalog.GetSource("s"));
        record.SetTimestamp(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        record.SetTimestamp(0, new DateTimeOffset(2026, 11, 25, 10, 0, 5, 678, TimeSpan.Zero));
        record.SetLong(1, 7);
        aggregator.Add(record);
        await store.InsertAsync(view, [new SpeedPartitionDelta(0, 0, 0, aggregator.Drain())], DateTime.UtcNow, CancellationToken.None);

        var group = Assert.Single(await SpeedTableContents.ReadGroupsAsync(db.Client, view));

        var seconds = new DateTimeOffset(2026, 11, 25, 10, 0, 5, TimeSpan.Zero);
        Assert.Equal(seconds, group.GetDimension("shipped").AsTimestamp());
        Assert.Equal(seconds, group.GetValue("first").AsTimestamp());
        Assert.Equal(7, group.GetValue("n").AsLong());
    }

    [Fact]
    public async Task Derived_dimensions_store_their_null_group_as_null_and_read_back_exactly()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        var view = TypeCatalogs.AllTypes.GetView("by_derived");
        var store = new ClickHouseSpeedTableWriter(db.Client, new FakeLogger<ClickHouseSpeedTableWriter>());
        await store.EnsureSchemaAsync([view], CancellationToken.None);
        var aggregator = new ViewAggregator(view);
        var record = new EventRecord(view.Source);
        foreach (var l in new long[] { -2, 0, 3, 0, 3 })
        {
            record.Reset();
            record.SetTimestamp(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
            record.SetString(0, "ab");
            record.SetLong(1, l);
            record.SetDouble(2, 1.5);
            record.SetDecimal(3, 2.250m);
            record.SetBool(4, true);
            record.SetTimestamp(5, new DateTimeOffset(2026, 11, 26, 13, 0, 0, TimeSpan.Zero));
            aggregator.Add(record);
        }

        var expected = aggregator.GetGroups();
        await store.InsertAsync(view, [new SpeedPartitionDelta(0, 0, 4, aggregator.Drain())], DateTime.UtcNow, CancellationToken.None);

        var read = await SpeedTableContents.ReadGroupsAsync(db.Client, view);
        Assert.Null(ViewAggregator.FindDifference(expected, read));

        // l = 0: tag, share and ratio are null (no branch of the CASE, division by zero); that group counts both events.
        var nulls = Assert.Single(read, g => g.GetDimension("tag").IsNull);
        Assert.True(nulls.GetDimension("share").IsNull && nulls.GetDimension("ratio").IsNull);
        Assert.Equal(2, nulls.GetValue("n").AsLong());
        Assert.True(nulls.GetValue("max_share").IsNull, "max over no values (every share was null)");
        Assert.Equal("AB", Assert.Single(read, g => g.GetDimension("positive").AsBool()).GetDimension("tag").AsString());
    }

    [Fact]
    public async Task An_insert_refuses_a_partition_twice_and_more_rows_than_one_atomic_block()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        var store = new ClickHouseSpeedTableWriter(db.Client, new FakeLogger<ClickHouseSpeedTableWriter>());
        var view = Catalog.GetView("rare");
        var group = Group(Catalog.GetView("by_status"), 0, 1);
        var huge = Enumerable.Repeat(group, SpeedTableSchema.MaxRowsPerInsert + 1).ToArray();

        var twice = await Assert.ThrowsAsync<ArgumentException>(() => store.InsertAsync(
            view, [new SpeedPartitionDelta(1, 0, 1, []), new SpeedPartitionDelta(1, 2, 3, [])], DateTime.UtcNow, CancellationToken.None));
        var tooMany = await Assert.ThrowsAsync<ArgumentException>(() => store.InsertAsync(
            view, [new SpeedPartitionDelta(1, 0, 1, huge)], DateTime.UtcNow, CancellationToken.None));
        var badRange = await Assert.ThrowsAsync<ArgumentException>(() => store.InsertAsync(
            view, [new SpeedPartitionDelta(1, 5, 4, [])], DateTime.UtcNow, CancellationToken.None));

        Assert.Contains("partition 1 appears twice", twice.Message, StringComparison.Ordinal);
        Assert.Contains("1000001 rows", tooMany.Message, StringComparison.Ordinal);
        Assert.Contains("[5, 4]", badRange.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("connection closed")]
    [InlineData("cancelled")]
    [InlineData("rows failed")]
    public async Task An_insert_cut_off_in_the_middle_of_its_body_stores_nothing(string how)
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        var view = Catalog.GetView("by_status");
        await new ClickHouseSpeedTableWriter(db.Client, new FakeLogger<ClickHouseSpeedTableWriter>()).EnsureSchemaAsync([view], CancellationToken.None);
        using var connections = new CuttableConnections(db);
        var store = new ClickHouseSpeedTableWriter(connections.Client, new FakeLogger<ClickHouseSpeedTableWriter>());
        using var cancellation = new CancellationTokenSource();
        Action cut = how switch
        {
            "connection closed" => connections.Cut,
            "cancelled" => cancellation.Cancel,
            _ => () => throw new InvalidOperationException("row cannot be produced"),
        };
        var groups = new CancellingGroups(Group(view, 0, 3), 400_000, 300_000, cut);

        await Assert.ThrowsAnyAsync<Exception>(() => store.InsertAsync(
            view, [new SpeedPartitionDelta(0, 0, 10, groups)], DateTime.UtcNow, cancellation.Token));

        await Task.Delay(500);
        Assert.Equal(0UL, await db.Client.QueryScalarAsync<ulong>($"SELECT count() FROM {SpeedTableSchema.TableNameOf(view)}"));
        Assert.Empty(await store.GetMaxOffsetsAsync(view, CancellationToken.None));
    }

    // How a ClickHouse server treats an insert body cut off mid-stream; the chDB server reads bodies whole
    // (see chdb-server/README.md), so this is not run on it.
    [Trait("ClickHouseServer", "Required")]
    [Fact]
    public async Task Clickhouse_18_stores_the_rows_received_of_an_uncompressed_chunked_insert_whose_connection_closed_between_chunks()
    {
        // Why speed-table inserts are gzip-compressed: a plain body that ends early is stored as far as it got.
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        await db.Client.ExecuteAsync("CREATE TABLE plain (n UInt64) ENGINE = MergeTree() PARTITION BY tuple() ORDER BY n");
        using var connections = new CuttableConnections(db);

        await Assert.ThrowsAnyAsync<Exception>(() => connections.Client.InsertAsync(
            "plain",
            ["n"],
            async (writer, token) =>
            {
                for (var i = 0UL; i < 1_000_000; i++)
                {
                    if (i == 500_000)
                    {
                        connections.Cut();
                    }

                    writer.WriteUInt64(i);
                    await writer.FlushIfNeededAsync(token);
                }
            },
            new ClickHouseCallOptions { Compress = false },
            CancellationToken.None));

        await Task.Delay(500);
        var stored = await db.Client.QueryScalarAsync<ulong>("SELECT count() FROM plain");
        Assert.InRange(stored, 100_000UL, 500_000UL);
    }

    private static long HyperLogLogEstimate(byte[] state) => Lambda.Shared.Measures.HyperLogLog.Read(state).Estimate();

    private static ViewGroup Group(ViewDefinition view, long bucket, int events)
    {
        var aggregator = new ViewAggregator(view);
        var record = new EventRecord(view.Source);
        for (var i = 0; i < events; i++)
        {
            record.Reset();
            record.SetTimestamp(bucket);
            for (var f = 0; f < view.Source.Fields.Count; f++)
            {
                var field = view.Source.Fields[f];
                var text = field.Type.Kind switch
                {
                    FieldKind.String => "paid",
                    FieldKind.Bool => "true",
                    FieldKind.Timestamp => bucket.ToString(CultureInfo.InvariantCulture),
                    _ => "2",
                };
                Assert.True(FieldValue.TryParse(text, field.Type, out var value));
                record.SetValue(f, value);
            }

            aggregator.Add(record);
        }

        return Assert.Single(aggregator.Drain());
    }

    private static SpeedLayerOptions DriverOptions(int flushMaxEvents) => new()
    {
        FlushMaxEvents = flushMaxEvents,
        FlushInterval = TimeSpan.FromHours(1),
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(100),
    };

    private static Oracle Feed(SpeedPipelineDriver driver, int partitions, int count, int seed)
    {
        var generator = new EventGenerator(seed);
        var oracle = new Oracle(Catalog);
        for (var i = 0; i < count; i++)
        {
            var generated = generator.Next(i);
            driver.Produce(Topic, i % partitions, generated.Value);
            oracle.Add(generated);
        }

        return oracle;
    }

    [Fact]
    public async Task A_table_from_before_fencing_gets_the_token_column_in_place_and_its_rows_count_as_token_zero()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_test");
        var view = Catalog.GetView("by_country");
        var schema = SpeedTableSchema.For(view);
        // The table as the speed layer created it before fencing: every column but fencing_token, one flush stored.
        var columns = schema.Columns.Where(c => c.Name != SpeedTableSchema.FencingTokenColumn).ToArray();
        await db.Client.ExecuteAsync(
            $"CREATE TABLE {ClickHouseSql.QualifiedName(db.Name, schema.TableName)} ({string.Join(", ", columns.Select(c => $"{ClickHouseSql.QuoteIdentifier(c.Name)} {c.Type}"))}) "
            + "ENGINE = MergeTree() PARTITION BY tuple() ORDER BY (`partition`, `last_offset`)",
            CancellationToken.None);
        await db.Client.ExecuteAsync($"INSERT INTO {ClickHouseSql.QualifiedName(db.Name, schema.TableName)} (`kind`, `partition`, `first_offset`, `last_offset`) VALUES (1, 0, 0, 41)", CancellationToken.None);
        var logger = new FakeLogger<ClickHouseSpeedTableWriter>();
        var store = new ClickHouseSpeedTableWriter(db.Client, logger);

        await store.EnsureSchemaAsync([view], CancellationToken.None);
        await store.EnsureSchemaAsync([view], CancellationToken.None);
        await store.InsertAsync(view, [new SpeedPartitionDelta(0, 42, 50, []) { FencingToken = 7 }], DateTime.UtcNow, CancellationToken.None);

        var names = await Strings(db, $"DESCRIBE TABLE {schema.TableName}");
        Assert.Equal(schema.ColumnNames, names);
        Assert.Equal(["0:41", "7:50"], await Strings(db, $"SELECT concat(toString(`fencing_token`), ':', toString(`last_offset`)) FROM {schema.TableName} ORDER BY `last_offset`"));
        Assert.Single(logger.Collector.GetSnapshot(), e => e.Message.Contains("fencing_token added", StringComparison.Ordinal));
        // A fence of token 7 from 42 on: the old row (token 0, below 42) and the new one both count.
        await store.WriteFencesAsync(view, [new SpeedFence(0, 7, 42)], CancellationToken.None);
        Assert.Equal(50, (await store.GetMaxOffsetsAsync(view, new Dictionary<int, long?> { [0] = null }, CancellationToken.None))[0]);
        Assert.Equal(50, (await store.GetMaxOffsetsBeforeInsertAsync(view, new Dictionary<int, long?> { [0] = 42 }, CancellationToken.None))[0]);
    }

    private static async Task<string[]> Strings(ClickHouseTestDatabase db, string sql) =>
        (await db.Client.QueryRowsAsync(sql)).Select(r => r.GetString(0)).ToArray();
}
