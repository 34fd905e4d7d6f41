using System.Globalization;
using DuckDB.NET.Data;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Tests.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Dataset;

public sealed class MasterFileTests : IDisposable
{
    private readonly TestDirectory _root = new("master-files");
    private readonly SourceDefinition _orders = TestCatalogs.Default.GetSource("orders");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Every_field_type_reads_back_exactly_across_row_groups()
    {
        var things = TypeCatalogs.AllTypes.GetSource("things");
        var events = ThingsEvents.Create(things, 2_500, seed: 11);
        var rows = new MasterRowBuffer(things);
        for (var i = 0; i < events.Count; i++)
        {
            rows.Append(events[i], 7, 1_000 + i);
        }

        var path = Path.Combine(_root.Path, "things.parquet");
        await new MasterFileWriter { RowGroupSize = 1_000 }.WriteAsync(path, new MasterFileSchema(things), rows, flushToDisk: true, CancellationToken.None);
        var batch = new MasterRowBatch(new MasterFileSchema(things));
        var record = new EventRecord(things);
        var read = new List<string>();
        var groups = 0;

        var count = await MasterFileReader.ReadAsync(path, batch, b =>
        {
            groups++;
            for (var i = 0; i < b.Count; i++)
            {
                b.Fill(i, record);
                Assert.Equal(7, b.Partitions[i]);
                Assert.Equal(1_000 + read.Count, b.Offsets[i]);
                Assert.True(record.IsComplete);
                read.Add(record.ToString());
            }
        }, CancellationToken.None);

        Assert.Equal(2_500, count);
        Assert.Equal(3, groups);
        await using var parquet = await Parquet.ParquetReader.CreateAsync(path);
        Assert.Equal("7", parquet.CustomMetadata[MasterFileSchema.PartitionKey]);
        Assert.Equal("1000", parquet.CustomMetadata[MasterFileSchema.MinOffsetKey]);
        Assert.Equal("3499", parquet.CustomMetadata[MasterFileSchema.MaxOffsetKey]);
        Assert.Equal("things", parquet.CustomMetadata[MasterFileSchema.SourceKey]);
        Assert.Equal(events.Select(e => e.ToString()), read);
    }

    [Fact]
    public async Task Only_the_selected_fields_are_set_when_reading()
    {
        var messages = OrderDatasets.Messages(_orders, 200, 1, seed: 12);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages, perCommit: 200);
        var snapshot = MasterDatasetSnapshot.Load(_root.Path, _orders.Name);
        var batch = new MasterRowBatch(new MasterFileSchema(_orders), [_orders.GetField("country"), _orders.GetField("amount")]);
        var record = new EventRecord(_orders);

        await MasterFileReader.ReadAsync(snapshot.GetPath(snapshot.Files[0]), batch, b =>
        {
            b.Fill(0, record);
            var expected = messages.Single(m => m.Offset == b.Offsets[0]).Event!;
            Assert.Equal(expected.GetString(_orders.GetField("country").Ordinal), record.GetString(_orders.GetField("country").Ordinal));
            Assert.Equal(expected.GetDecimal(_orders.GetField("amount").Ordinal), record.GetDecimal(_orders.GetField("amount").Ordinal));
            Assert.Equal(expected.TimestampMilliseconds, record.TimestampMilliseconds);
            Assert.False(record.IsSet(_orders.GetField("user_id").Ordinal));
        }, CancellationToken.None);
    }

    [Theory]
    [InlineData("2026-11-23T00:00:00Z", "2026-11-26T00:00:00Z")]
    [InlineData("2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z")]
    [InlineData("2026-11-24T13:17:00.250Z", "2026-11-24T13:42:10.001Z")]
    [InlineData("2026-11-23T05:00:00Z", "2026-11-23T05:00:00.001Z")]
    [InlineData("2026-11-27T00:00:00Z", "2026-11-28T00:00:00Z")]
    public async Task Time_filtered_reads_return_exactly_the_events_in_range(string from, string to)
    {
        // Many small row groups, so that a reader pruning by row-group statistics would drop rows if the
        // timestamp statistics were wrong (Parquet.Net writes wrong ones for micro/nanosecond units).
        var messages = OrderDatasets.Messages(_orders, 20_000, 4, seed: 13);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages, perCommit: 2_500, rowGroupSize: 64);
        var range = new TimeRange(DateTimeOffset.Parse(from, CultureInfo.InvariantCulture), DateTimeOffset.Parse(to, CultureInfo.InvariantCulture));
        var expected = messages.Where(m => m.Event is not null && range.Contains(m.Event.TimestampMilliseconds))
            .Select(m => (m.Partition, m.Offset, m.Event!.ToString()))
            .Order()
            .ToArray();

        var ours = new List<(int, long, string)>();
        var count = await new MasterDatasetReader(_root.Path, _orders).ReadAsync(range, (record, partition, offset) => ours.Add((partition, offset, record.ToString())), CancellationToken.None);
        var duck = DuckDbPositions(range);

        Assert.Equal(expected.Length, count);
        Assert.Equal(expected, ours.Order());
        Assert.Equal(expected.Select(e => (e.Partition, e.Offset)), duck);
        if (range.Start.Day == 24)
        {
            Assert.NotEmpty(expected);
        }
    }

    [Fact]
    public async Task Timestamp_statistics_match_the_values_and_every_row_group_of_a_flush_file_holds_one_utc_day()
    {
        var messages = OrderDatasets.Messages(_orders, 5_000, 2, seed: 14);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages, perCommit: 5_000, rowGroupSize: 100);
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $$"""
            SELECT count(*) FILTER (WHERE date_trunc('day', event_time AT TIME ZONE 'UTC') <> date_trunc('day', s.stats_min::TIMESTAMPTZ AT TIME ZONE 'UTC')),
                   count(*) FILTER (WHERE event_time < s.stats_min::TIMESTAMPTZ OR event_time > s.stats_max::TIMESTAMPTZ),
                   count(*),
                   count(*) FILTER (WHERE s.stats_min IS NOT NULL AND s.stats_max IS NOT NULL)
            FROM read_parquet('{{Glob()}}', filename = true, file_row_number = true) d
            JOIN (SELECT file_name, row_group_id, stats_min, stats_max, row_group_num_rows,
                         sum(row_group_num_rows) OVER (PARTITION BY file_name ORDER BY row_group_id) - row_group_num_rows AS first_row
                  FROM parquet_metadata('{{Glob()}}') WHERE path_in_schema = 'event_time') s
              ON s.file_name = d.filename AND d.file_row_number >= s.first_row AND d.file_row_number < s.first_row + s.row_group_num_rows
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());

        Assert.Equal(0L, reader.GetInt64(0));
        Assert.Equal(0L, reader.GetInt64(1));
        Assert.Equal(messages.Count(m => m.Event is not null), reader.GetInt64(2));
        Assert.Equal(reader.GetInt64(2), reader.GetInt64(3));
    }

    private (int, long)[] DuckDbPositions(TimeRange range)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $$"""
            SELECT kafka_partition, kafka_offset FROM read_parquet('{{Glob()}}')
            WHERE event_time >= make_timestamptz({{range.StartMilliseconds * 1000}}::BIGINT) AND event_time < make_timestamptz({{range.EndMilliseconds * 1000}}::BIGINT)
            ORDER BY 1, 2
            """;
        using var reader = command.ExecuteReader();
        var result = new List<(int, long)>();
        while (reader.Read())
        {
            result.Add((reader.GetInt32(0), reader.GetInt64(1)));
        }

        return result.ToArray();
    }

    private string Glob() => MasterDatasetLayout.FlushFileGlob(_root.Path, _orders.Name);

    private static DuckDBConnection Open()
    {
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SET TimeZone = 'UTC'";
        command.ExecuteNonQuery();
        return connection;
    }
}
