extern alias batchlayer;

using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;
using Lambda.Testing;
using batchlayer::Lambda.BatchLayer.BatchViews;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>The batch side over real Parquet day files and a real manifest in a temporary dataset root.</summary>
public sealed class ManifestBatchViewStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"serving-batch-{Guid.NewGuid():N}");
    private readonly ManifestStore _manifests;
    private readonly ManifestBatchViewStore _store;

    public ManifestBatchViewStoreTests()
    {
        _manifests = new ManifestStore(_root);
        _store = new ManifestBatchViewStore(_manifests, new BatchViewReader(_root));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task No_manifest_means_no_watermark_and_no_groups()
    {
        var snapshot = await _store.OpenSnapshotAsync(CancellationToken.None);

        Assert.Empty(snapshot.Views);
        Assert.Null(snapshot.GetWatermark(TestCatalogs.RevenueByCountry));
    }

    [Fact]
    public async Task A_snapshot_reads_the_days_of_its_manifest_only_and_keeps_them_after_a_new_publish()
    {
        var view = TestCatalogs.RevenueByCountry;
        // Minute 0 is 10:00 on day 1; 24 * 60 minutes later is day 2.
        var events = ViewQueryEngineTests.Numbered(
            (0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "DE", 2.00m, "u2")), (0, Orders.Create(24 * 60, "US", 4.00m, "u3")),
            (1, Orders.Create(0, "US", 8.00m, "u4")));
        await PublishAsync(view, "run-1", null, new Dictionary<int, long> { [0] = 3, [1] = 1 }, events);
        var first = await _store.OpenSnapshotAsync(CancellationToken.None);
        await PublishAsync(view, "run-2", "run-1", new Dictionary<int, long> { [0] = 1 }, events);

        var watermark = Assert.IsType<ViewWatermark>(first.GetWatermark(view));
        Assert.Equal("run-1", watermark.RunId);
        Assert.Equal(view.DefinitionHash, watermark.DefinitionHash);
        Assert.Equal(new Dictionary<int, long> { [0] = 3, [1] = 1 }, watermark.Partitions);
        var dayOne = new ViewSelection(new TimeRange(Orders.At(0), Orders.At(60)));
        var read = await ReadAsync(first, view, dayOne);
        Assert.Null(ViewAggregator.FindDifference(ViewQueryEngineTests.Aggregate(view, events.Where(e => e.Offset < (e.Partition == 0 ? 3 : 1))).Where(dayOne.Matches), read));
        var both = await ReadAsync(first, view, new ViewSelection(new TimeRange(Orders.At(0), Orders.At(25 * 60))));
        Assert.Equal(4, both.Sum(g => g.GetValue("orders").AsLong()));

        var second = await _store.OpenSnapshotAsync(CancellationToken.None);
        Assert.Equal("run-2", second.GetWatermark(view)!.RunId);
        var secondRead = await ReadAsync(second, view, dayOne);
        Assert.Equal(1, Assert.Single(secondRead).GetValue("orders").AsLong());
    }

    [Fact]
    public async Task The_engine_merges_batch_files_with_speed_deltas_above_the_watermark()
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 10.00m)), (0, Orders.Create(0, "US", 20.00m, "u2")), (0, Orders.Create(0, "US", 0.05m, "u3")));
        await PublishAsync(view, "run-1", null, new Dictionary<int, long> { [0] = 2 }, events);
        var speed = new FakeSpeedViewReader();
        speed.FlushAll(view, events, _ => [2L]);
        var engine = new ViewQueryEngine(_store, speed, NullLogger<ViewQueryEngine>.Instance);

        var result = await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, view.Name, "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z"), CancellationToken.None);

        var row = Assert.Single(result.Rows);
        Assert.Equal(3, row.States[0].GetValue().AsLong());
        Assert.Equal(30.05m, row.States[1].GetValue().AsDecimal());
        Assert.Equal("run-1", result.Watermark.RunId);
    }

    [Theory]
    [InlineData("from=2026-11-25T00:00:00Z&to=2026-11-27T00:00:00Z&granularity=hour")]
    [InlineData("from=2026-11-25T00:00:00Z&to=2026-11-27T00:00:00Z&granularity=day")]
    [InlineData("from=2026-11-25T00:00:00Z&to=2026-11-27T00:00:00Z&granularity=all")]
    [InlineData("from=2026-11-25T11:00:00Z&to=2026-11-26T11:00:00Z&granularity=all")]
    [InlineData("from=2026-11-25T10:30:00Z&to=2026-11-26T11:15:00Z&granularity=hour")]
    [InlineData("from=2026-11-25T10:30:00Z&to=2026-11-26T11:15:00Z&granularity=all&filter=country:DE")]
    [InlineData("from=2026-11-25T10:30:00Z&to=2026-11-26T11:15:00Z&granularity=hour&where=country%20!%3D%20%27DE%27")]
    public async Task Rolled_up_batch_groups_answer_exactly_like_the_stored_minutes(string query)
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = ViewQueryEngineTests.Numbered(Enumerable.Range(0, 400).Select(i =>
            (i % 2, Orders.Create((i * 97) % (26 * 60), i % 3 == 0 ? "DE" : "US", (i + 1) / 4m, "u" + (i % 37)))).ToArray());
        await PublishAsync(view, "run-1", null, new Dictionary<int, long> { [0] = 1000, [1] = 1000 }, events);
        var allSpeed = new FakeSpeedViewReader();
        allSpeed.FlushAll(view, events, _ => []);
        var expected = new ViewQueryEngine(new FakeBatchViewStore(), allSpeed, NullLogger<ViewQueryEngine>.Instance);
        var actual = new ViewQueryEngine(_store, new FakeSpeedViewReader(), NullLogger<ViewQueryEngine>.Instance);
        var parsed = Queries.Parse(TestCatalogs.Default, view.Name, query);

        var want = await expected.ExecuteAsync(parsed, CancellationToken.None);
        var first = await actual.ExecuteAsync(parsed, CancellationToken.None);
        var cached = await actual.ExecuteAsync(parsed, CancellationToken.None);

        Assert.NotEmpty(want.Rows);
        foreach (var got in new[] { first, cached })
        {
            Assert.Equal(want.Rows.Count, got.Rows.Count);
            for (var i = 0; i < want.Rows.Count; i++)
            {
                Assert.Equal(want.Rows[i].BucketStartMilliseconds, got.Rows[i].BucketStartMilliseconds);
                Assert.Equal(want.Rows[i].Dimensions, got.Rows[i].Dimensions);
                Assert.All(want.Rows[i].States.Zip(got.Rows[i].States), p => Assert.True(p.First.ContentEquals(p.Second), $"row {i}: {p.First} vs {p.Second}"));
            }
        }
    }

    private static async Task<IReadOnlyList<ViewGroup>> ReadAsync(IBatchViewSnapshot snapshot, ViewDefinition view, ViewSelection selection)
    {
        var groups = new List<ViewGroup>();
        await foreach (var group in snapshot.ReadGroupsAsync(view, selection, view.Granularity, CancellationToken.None))
        {
            groups.Add(group);
        }

        return groups;
    }

    private async Task PublishAsync(ViewDefinition view, string runId, string? previousRunId, IReadOnlyDictionary<int, long> watermarks, IEnumerable<OffsetEvent> events)
    {
        var aggregator = new ViewAggregator(view);
        foreach (var e in events.Where(e => e.Offset < watermarks.GetValueOrDefault(e.Partition)))
        {
            aggregator.Add(e.Record);
        }

        var days = new List<BatchViewDay>();
        var writer = new BatchViewWriter();
        foreach (var day in aggregator.GetSortedGroups().GroupBy(g => DateOnly.FromDateTime(g.BucketStart.UtcDateTime)))
        {
            var file = BatchViewLayout.DayFile(view, runId, day.Key);
            var rows = await writer.WriteAsync(BatchViewLayout.Resolve(_root, file), view, day.Key, runId, day, CancellationToken.None);
            days.Add(new BatchViewDay(day.Key, file, rows, runId));
        }

        var entry = new BatchViewEntry
        {
            View = view.Name, Source = view.Source.Name, DefinitionHash = view.DefinitionHash, RunId = runId,
            ComputedAt = DateTimeOffset.UtcNow, Watermarks = watermarks, Days = days,
        };
        await _manifests.PublishAsync(
            new BatchManifest { RunId = runId, PublishedAt = DateTimeOffset.UtcNow, Views = new Dictionary<string, BatchViewEntry> { [view.Name] = entry } },
            previousRunId,
            CancellationToken.None);
    }
}
