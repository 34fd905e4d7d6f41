using System.Globalization;
using DuckDB.NET.Data;
using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.BatchViews;

public sealed class BatchViewFileTests : IDisposable
{
    private readonly TestDirectory _root = new("batch-view-files");
    private readonly ViewDefinition _everything = TypeCatalogs.AllTypes.GetView("everything");
    private readonly ViewDefinition _typedDims = TypeCatalogs.AllTypes.GetView("by_typed_dims");

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("everything")]
    [InlineData("by_typed_dims")]
    [InlineData("by_derived")]
    public async Task Groups_of_every_measure_and_dimension_type_read_back_with_identical_state_bytes(string viewName)
    {
        var view = TypeCatalogs.AllTypes.GetView(viewName);
        var aggregator = Aggregate(view, 5_000);
        var entry = await WriteDaysAsync(view, aggregator, "run-a");

        var read = await BatchViewContents.ReadGroupsAsync(new BatchViewReader(_root.Path), entry, view);

        Assert.Equal(2, entry.Days.Count);
        Assert.True(read.Count > 50);
        Assert.Null(ViewAggregator.FindDifference(aggregator.GetGroups(), read));
        if (view.DerivedFields.Count > 0)
        {
            // l = 0 makes tag, share and ratio null: their group is stored and read back as null.
            Assert.Contains(read, g => g.GetDimension("tag").IsNull && g.GetDimension("share").IsNull && g.GetDimension("ratio").IsNull);
        }
        Assert.Equal(read.OrderBy(g => g, ViewGroup.KeyComparer), read);
    }

    [Fact]
    public async Task DuckDB_reads_buckets_dimensions_and_finalised_values()
    {
        var aggregator = Aggregate(_everything, 2_000);
        var entry = await WriteDaysAsync(_everything, aggregator, "run-c");
        var day = entry.Days[0];
        var expected = aggregator.GetGroups()
            .Where(g => DateOnly.FromDateTime(g.BucketStart.UtcDateTime) == day.Day)
            .OrderBy(g => g, ViewGroup.KeyComparer)
            .ToArray();

        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT epoch_ms(bucket), s, b, n_value, sum_l_value, sum_m_value, max_m_value, min_t_value, avg_m_value, distinct_s_value, octet_length(distinct_s)
            FROM read_parquet('{BatchViewLayout.Resolve(_root.Path, day.File)}') ORDER BY bucket, s, b
            """;
        using var reader = command.ExecuteReader();
        var i = 0;
        while (reader.Read())
        {
            var g = expected[i++];
            Assert.Equal(g.BucketStartMilliseconds, reader.GetInt64(0));
            Assert.Equal(g.Dimensions[0].AsString(), reader.GetString(1));
            Assert.Equal(g.Dimensions[1].AsBool(), reader.GetBoolean(2));
            Assert.Equal(g.GetValue("n").AsLong(), reader.GetInt64(3));
            Assert.Equal(g.GetValue("sum_l").AsLong(), reader.GetInt64(4));
            Assert.Equal(g.GetValue("sum_m").AsDecimal(), reader.GetDecimal(5));
            Assert.Equal(g.GetValue("max_m").AsDecimal(), reader.GetDecimal(6));
            Assert.Equal(g.GetValue("min_t").AsTimestamp().UtcDateTime, reader.GetDateTime(7).ToUniversalTime());
            Assert.Equal(g.GetValue("avg_m").AsDecimal(), reader.GetDecimal(8));
            Assert.Equal(g.GetValue("distinct_s").AsLong(), reader.GetInt64(9));
            Assert.Equal(g.States[_everything.GetMeasure("distinct_s").Index].ToBytes().Length, reader.GetInt64(10));
        }

        Assert.Equal(expected.Length, i);
    }

    [Fact]
    public async Task Reading_a_file_as_another_view_version_fails_naming_both_versions()
    {
        var entry = await WriteDaysAsync(_everything, Aggregate(_everything, 500), "run-d");
        var path = BatchViewLayout.Resolve(_root.Path, entry.Days[0].File);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new BatchViewReader(_root.Path).ReadFileAsync(path, _typedDims, CancellationToken.None));

        Assert.Contains(_everything.DefinitionHash, error.Message, StringComparison.Ordinal);
        Assert.Contains(_typedDims.DefinitionHash, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writer_refuses_groups_of_another_day()
    {
        var aggregator = Aggregate(_everything, 500);
        var path = Path.Combine(_root.Path, "x.parquet");

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            new BatchViewWriter().WriteAsync(path, _everything, new DateOnly(2026, 11, 23), "run-e", aggregator.GetGroups(), CancellationToken.None));

        Assert.Contains("is not on day 2026-11-23", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_root.Path));
    }

    private static ViewAggregator Aggregate(ViewDefinition view, int count)
    {
        var aggregator = new ViewAggregator(view);
        foreach (var record in ThingsEvents.Create(view.Source, count, seed: count))
        {
            aggregator.Add(record);
        }

        return aggregator;
    }

    private async Task<BatchViewEntry> WriteDaysAsync(ViewDefinition view, ViewAggregator aggregator, string runId)
    {
        var writer = new BatchViewWriter();
        var days = new List<BatchViewDay>();
        foreach (var day in aggregator.GetGroups().GroupBy(g => DateOnly.FromDateTime(g.BucketStart.UtcDateTime)).OrderBy(g => g.Key))
        {
            var relative = BatchViewLayout.DayFile(view, runId, day.Key);
            var rows = await writer.WriteAsync(BatchViewLayout.Resolve(_root.Path, relative), view, day.Key, runId, day, CancellationToken.None);
            Assert.Equal(day.Count(), rows);
            days.Add(new BatchViewDay(day.Key, relative, rows, runId));
        }

        Assert.Empty(Directory.GetFiles(_root.Path, "*.tmp", SearchOption.AllDirectories));
        return new BatchViewEntry
        {
            View = view.Name,
            Source = view.Source.Name,
            DefinitionHash = view.DefinitionHash,
            RunId = runId,
            ComputedAt = DateTimeOffset.UnixEpoch,
            Watermarks = new Dictionary<int, long>(),
            Days = days,
        };
    }
}
