using Lambda.BatchLayer.Recompute;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Lookups;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Recompute;

public sealed class RecomputeFinalizerTests
{
    private const string Revenue = "revenue_by_country";
    private const string ByStatus = "orders_by_status";
    private const string RunId = "20261126T020000000Z-abcdef01";
    private static readonly DateOnly D1 = new(2026, 11, 24);
    private static readonly DateOnly D2 = new(2026, 11, 25);
    private static readonly DateOnly D3 = new(2026, 11, 26);
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 2, 5, 0, TimeSpan.Zero);

    [Fact]
    public void Finished_chunks_become_the_days_that_wrote_a_file_in_chunk_order()
    {
        var chunks = new[] { Chunk(0, Revenue, D1), Chunk(1, ByStatus, D1), Chunk(2, Revenue, D2) };
        var outcomes = new[] { new ChunkOutcome(2, 7, "views/r/d2.parquet", 0), new ChunkOutcome(0, 5, "views/r/d1.parquet", 900), new ChunkOutcome(1, 0, null, 0) };

        var days = RecomputeFinalizer.Days(chunks, outcomes);

        Assert.Equal(
            [new RecomputedDay(Revenue, D1, 5, "views/r/d1.parquet"), new RecomputedDay(Revenue, D2, 7, "views/r/d2.parquet")],
            days);
    }

    [Fact]
    public void A_run_with_a_chunk_not_finished_is_not_finalized()
    {
        var chunks = new[] { Chunk(0, Revenue, D1), Chunk(1, Revenue, D2) };

        var error = Assert.Throws<InvalidOperationException>(() => RecomputeFinalizer.Days(chunks, [new ChunkOutcome(0, 1, "f", 1)]));

        Assert.Contains("missing: 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_manifest_carries_over_untouched_days_and_views_replaces_recomputed_days_and_drops_emptied_and_removed_ones()
    {
        var previousRevenue = Entry(Revenue, "old-run", (D1, 3), (D2, 4), (D3, 5));
        var published = new BatchManifest
        {
            RunId = "old-run",
            PublishedAt = Now.AddDays(-1),
            Views = new SortedDictionary<string, BatchViewEntry>(StringComparer.Ordinal)
            {
                [Revenue] = previousRevenue,
                [ByStatus] = Entry(ByStatus, "old-run", (D1, 2)),
                ["gone_view"] = Entry(ByStatus, "old-run", (D1, 1)) with { View = "gone_view" },
            },
        };
        // D2 recomputed with a file, D3 recomputed without a group (no file): D1 stays from the old run.
        var plan = new ViewPlan
        {
            View = TestCatalogs.Default.GetView(Revenue),
            Previous = previousRevenue,
            Replaced = null,
            Watermarks = new Dictionary<int, long> { [0] = 200, [1] = 300 },
            ComputeDays = [D2, D3],
        };
        var recomputed = new[] { new RecomputedDay(Revenue, D2, 40, "views/revenue_by_country/x/run=" + RunId + "/day=2026-11-25.parquet") };

        var manifest = RecomputeFinalizer.BuildManifest(published, [plan], recomputed, ["gone_view"], RunId, LookupSnapshot.Empty, Now);

        Assert.Equal(RunId, manifest.RunId);
        Assert.Equal(Now, manifest.PublishedAt);
        Assert.Equal([ByStatus, Revenue], manifest.Views.Keys);
        Assert.Same(published.Views[ByStatus], manifest.Views[ByStatus]);
        var revenue = manifest.Views[Revenue];
        Assert.Equal(RunId, revenue.RunId);
        Assert.Equal(new Dictionary<int, long> { [0] = 200, [1] = 300 }, revenue.Watermarks);
        Assert.Equal(
            [new BatchViewDay(D1, "views/old/d1.parquet", 3, "old-run"), new BatchViewDay(D2, recomputed[0].File, 40, RunId)],
            revenue.Days);
    }

    private static RecomputeChunk Chunk(int number, string view, DateOnly day) => new(number, view, "orders", day);

    private static BatchViewEntry Entry(string view, string runId, params (DateOnly Day, long Rows)[] days) => new()
    {
        View = view,
        Source = "orders",
        DefinitionHash = TestCatalogs.Default.GetView(view).DefinitionHash,
        RunId = runId,
        ComputedAt = Now.AddDays(-1),
        Watermarks = new SortedDictionary<int, long> { [0] = 100 },
        Days = days.Select(d => new BatchViewDay(d.Day, $"views/old/d{d.Day.Day - 23}.parquet", d.Rows, runId)).ToArray(),
    };
}
