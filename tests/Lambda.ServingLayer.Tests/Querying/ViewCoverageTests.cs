using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Catalog;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.ServingLayer.Tests.Querying;

public sealed class ViewCoverageTests
{
    private const string Hour = "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z";
    private static readonly ViewDefinition View = TestCatalogs.RevenueByCountry;

    [Fact]
    public void A_batch_view_above_offset_0_in_every_partition_is_complete_without_asking_the_speed_tables()
    {
        var batch = new Dictionary<int, long> { [0] = 40, [1] = 7 };

        var coverage = ViewCoverage.Of(batch, new Dictionary<int, long> { [0] = 40, [1] = 7 });

        Assert.True(coverage.Complete);
        Assert.Equal(new Dictionary<int, long> { [0] = 0, [1] = 0 }, coverage.CompleteFrom);
        Assert.False(ViewCoverage.NeedsSpeedFirstOffsets(batch, [0, 1]));
    }

    [Fact]
    public void Without_a_batch_view_the_speed_tables_first_offsets_say_where_the_answer_starts()
    {
        var coverage = ViewCoverage.Of(null, new Dictionary<int, long> { [0] = 120, [1] = 0 });

        Assert.False(coverage.Complete);
        Assert.Equal(new Dictionary<int, long> { [0] = 120, [1] = 0 }, coverage.CompleteFrom);
        Assert.True(ViewCoverage.NeedsSpeedFirstOffsets(null, []));
    }

    [Fact]
    public void Without_a_batch_view_speed_deltas_from_offset_0_everywhere_are_complete()
    {
        var coverage = ViewCoverage.Of(null, new Dictionary<int, long> { [0] = 0, [2] = 0 });

        Assert.True(coverage.Complete);
        Assert.Equal(new Dictionary<int, long> { [0] = 0, [2] = 0 }, coverage.CompleteFrom);
    }

    [Fact]
    public void A_new_view_nothing_is_stored_of_yet_is_incomplete()
    {
        var coverage = ViewCoverage.Of(null, new Dictionary<int, long>());

        Assert.False(coverage.Complete);
        Assert.Empty(coverage.CompleteFrom);
    }

    [Fact]
    public void A_partition_the_batch_view_does_not_cover_is_judged_by_the_speed_table()
    {
        var batch = new Dictionary<int, long> { [0] = 40, [1] = 0 };

        var coverage = ViewCoverage.Of(batch, new Dictionary<int, long> { [0] = 40, [1] = 12, [2] = 3 });

        Assert.False(coverage.Complete);
        Assert.Equal(new Dictionary<int, long> { [0] = 0, [1] = 12, [2] = 3 }, coverage.CompleteFrom);
        Assert.True(ViewCoverage.NeedsSpeedFirstOffsets(batch, [0]));
        Assert.True(ViewCoverage.NeedsSpeedFirstOffsets(new Dictionary<int, long> { [0] = 40 }, [0, 2]));
    }

    [Fact]
    public async Task The_engine_reports_the_speed_tables_first_offsets_while_no_batch_view_is_published_and_stops_asking_once_one_is()
    {
        var batch = new FakeBatchViewStore();
        var speed = new FakeSpeedViewReader();
        var firstOffsets = new RecordingCoverageReader(new Dictionary<int, long> { [0] = 2 });
        var events = ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "US", 2.00m)), (0, Orders.Create(2, "DE", 3.00m)));
        speed.Flush(View, 0, 2, 2, [events[2]]);
        var engine = new ViewQueryEngine(batch, speed, NullLogger<ViewQueryEngine>.Instance, coverageReader: firstOffsets);

        var before = await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour), CancellationToken.None);

        Assert.False(before.Coverage.Complete);
        Assert.Equal(new Dictionary<int, long> { [0] = 2 }, before.Coverage.CompleteFrom);
        Assert.Equal(1, firstOffsets.Calls);

        batch.Publish(View, "run-1", new Dictionary<int, long> { [0] = 2 }, events.Take(2));
        var after = await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, View.Name, Hour), CancellationToken.None);

        Assert.True(after.Coverage.Complete);
        Assert.Equal(new Dictionary<int, long> { [0] = 0 }, after.Coverage.CompleteFrom);
        Assert.Equal(1, firstOffsets.Calls);
    }

    private sealed class RecordingCoverageReader(IReadOnlyDictionary<int, long> firstOffsets) : ISpeedCoverageReader
    {
        public int Calls { get; private set; }

        public Task<IReadOnlyDictionary<int, long>> ReadFirstOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(firstOffsets);
        }
    }
}
