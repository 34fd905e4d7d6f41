using Lambda.BatchLayer.Loading;
using Parquet;
using Parquet.Schema;

namespace Lambda.BatchLayer.Tests.Loading;

/// <summary>Reading batch-view Parquet files per the design notes' layout with Parquet.Net.</summary>
public sealed class ParquetBatchViewSourceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batch-source-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Rows_come_back_with_the_groups_keys_and_identical_state_bytes()
    {
        var view = TestViews.AllTypes.GetView("everything");
        var start = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
        var groups = TestViews.Aggregate(view, Enumerable.Range(0, 12).Select(i =>
            $$"""{"ts":"{{start.AddMinutes(i * 20):yyyy-MM-ddTHH:mm:ssZ}}","site":"s{{i % 3}}","level":{{i}},"ratio":1.5,"price":2.125,"big":3.25,"ok":true,"seen":"2026-11-01T00:00:00.123Z"}"""));
        var path = Path.Combine(_root, "all.parquet");
        await BatchViewTestFiles.WriteAsync(path, view, groups);

        var rows = new List<BatchViewRow>();
        await foreach (var row in new ParquetBatchViewSource().ReadAsync(view, path, CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(groups.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(groups[i].BucketStartMilliseconds, rows[i].BucketMilliseconds);
            Assert.Equal(groups[i].Dimensions, rows[i].Dimensions);
            for (var m = 0; m < view.Measures.Count; m++)
            {
                Assert.Equal(groups[i].States[m].ToBytes(), rows[i].States[m].ToBytes());
            }
        }
    }

    [Fact]
    public async Task A_file_without_a_measure_column_is_refused_naming_the_column()
    {
        var view = TestViews.Revenue;
        var path = Path.Combine(_root, "partial.parquet");
        var bucket = new DateTimeDataField("bucket", DateTimeFormat.DateAndTime, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: false);
        var country = new DataField<string>("country", nullable: false);
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(bucket, country), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<DateTime>(bucket, new[] { new DateTime(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc) });
            await group.WriteAsync(country, new[] { "US" });
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var row in new ParquetBatchViewSource().ReadAsync(view, path, CancellationToken.None))
            {
                Assert.Fail($"no row expected, got {row}");
            }
        });
        Assert.Contains("no column 'orders' for measure 'orders'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_reported_with_its_path()
    {
        var path = Path.Combine(_root, "missing.parquet");
        var error = await Assert.ThrowsAsync<FileNotFoundException>(async () =>
        {
            await foreach (var row in new ParquetBatchViewSource().ReadAsync(TestViews.Revenue, path, CancellationToken.None))
            {
                Assert.Fail($"no row expected, got {row}");
            }
        });
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
