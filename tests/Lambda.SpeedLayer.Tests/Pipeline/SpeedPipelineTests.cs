using System.Diagnostics;
using System.Text;
using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Pipeline;
using Lambda.SpeedLayer.Tests.Support;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Tests.Pipeline;

/// <summary>The consume → parse → aggregate → flush pipeline over in-memory partitions (no broker, fake store).</summary>
public sealed class SpeedPipelineTests
{
    private const string Topic = "shop-events";
    private static readonly LambdaCatalog Catalog = TestCatalog.Parse(Topic);

    [Fact]
    public async Task Every_view_in_the_store_equals_the_oracle_and_every_reject_is_dead_lettered_with_its_reason()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options(flushMaxEvents: 700));
        var (oracle, events) = Feed(driver, partitions: 4, count: 6_000, seed: 11, malformedRate: 0.03);
        await driver.StartAsync(Topic, 0, 1, 2, 3);

        Assert.Equal(6_000, await driver.PumpAsync());
        await driver.FlushAsync();

        foreach (var view in Catalog.Views)
        {
            oracle.AssertEqual(view, await driver.ReadAsync(view));
        }

        var malformed = events.Where(e => !e.Event.IsValid).ToArray();
        Assert.True(malformed.Length > 100, $"only {malformed.Length} malformed events were generated");
        var letters = driver.DeadLetters.Letters.ToDictionary(l => (l.Partition, l.Offset));
        Assert.Equal(malformed.Length, letters.Count);
        foreach (var (partition, offset, generated) in malformed)
        {
            var letter = letters[(partition, offset)];
            Assert.Equal(generated.ExpectedRejection, letter.Rejection.Reason);
            Assert.Equal(generated.Value, letter.Value);
            Assert.Equal(Encoding.UTF8.GetBytes(generated.Key), letter.Key);
            Assert.Equal(Topic, letter.SourceTopic);
            Assert.False(string.IsNullOrEmpty(letter.Rejection.Message));
        }
    }

    [Fact]
    public async Task Each_flush_is_one_insert_per_view_whose_rows_carry_their_partitions_contiguous_offset_ranges()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options(flushMaxEvents: 500));
        var (_, events) = Feed(driver, partitions: 3, count: 3_000, seed: 5);
        await driver.StartAsync(Topic, 0, 1, 2);
        await driver.PumpAsync();
        await driver.FlushAsync();

        var lastOffsets = events.GroupBy(e => e.Partition).ToDictionary(g => g.Key, g => g.Max(e => e.Offset));
        foreach (var view in Catalog.Views)
        {
            var inserts = driver.FakeStore.Inserts(view);
            Assert.True(inserts.Count >= 6, $"view {view.Name}: {inserts.Count} inserts");
            var next = new Dictionary<int, long> { [0] = 0, [1] = 0, [2] = 0 };
            foreach (var insert in inserts)
            {
                foreach (var partition in insert.Rows.GroupBy(r => r.Partition))
                {
                    var range = partition.Select(r => (r.FirstOffset, r.LastOffset)).Distinct().Single();
                    Assert.Equal(next[partition.Key], range.FirstOffset);
                    Assert.True(range.LastOffset >= range.FirstOffset);
                    next[partition.Key] = range.LastOffset + 1;
                    Assert.True(
                        partition.All(r => r.Kind == SpeedRowKind.Delta) || partition.Count() == 1,
                        "a marker row stands alone for its partition");
                }
            }

            Assert.Equal(lastOffsets.ToDictionary(p => p.Key, p => p.Value + 1), next);
        }
    }

    [Fact]
    public async Task A_view_whose_filter_matches_nothing_records_its_progress_with_marker_rows()
    {
        var rare = Catalog.GetView("rare");
        await using var driver = new SpeedPipelineDriver(Catalog, Options(flushMaxEvents: 400));
        Feed(driver, partitions: 2, count: 2_000, seed: 3);
        await driver.StartAsync(Topic, 0, 1);
        await driver.PumpAsync();
        await driver.FlushAsync();

        var rows = driver.FakeStore.Inserts(rare).SelectMany(i => i.Rows).ToArray();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(SpeedRowKind.Marker, r.Kind));
        Assert.Empty(await driver.ReadAsync(rare));
        Assert.Equal(new Dictionary<int, long> { [0] = 999, [1] = 999 }, await driver.Store.GetMaxOffsetsAsync(rare, CancellationToken.None));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Crashes_at_random_points_lose_nothing_and_count_nothing_twice(int seed)
    {
        var random = new Random(seed);
        await using var driver = new SpeedPipelineDriver(Catalog, Options(flushMaxEvents: 97 + random.Next(400)));
        var (oracle, events) = Feed(driver, partitions: 4, count: 5_000, seed: seed);
        int[] partitions = [0, 1, 2, 3];
        await driver.StartAsync(Topic, partitions);

        for (var crash = 0; crash < 5; crash++)
        {
            await driver.PumpAsync(random.Next(200, 1_200));
            if (random.Next(2) == 0)
            {
                // A flush in flight when the process dies may or may not have reached the store.
                await driver.FlushAsync();
            }

            await driver.CrashAsync();
            var starts = await driver.StartAsync(Topic, partitions);
            Assert.All(starts, s => Assert.InRange(s.Value, 0, events.Count(e => e.Partition == s.Key)));
        }

        await driver.PumpAsync();
        await driver.FlushAsync();
        foreach (var view in Catalog.Views)
        {
            oracle.AssertEqual(view, await driver.ReadAsync(view));
        }

        var expectedLetters = events.Where(e => !e.Event.IsValid).Select(e => (e.Partition, e.Offset)).ToHashSet();
        Assert.Equal(expectedLetters, driver.DeadLetters.Letters.Select(l => (l.Partition, l.Offset)).ToHashSet());
    }

    [Fact]
    public async Task A_reject_already_covered_by_a_stored_flush_is_not_dead_lettered_again_after_a_restart()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        driver.Produce(Topic, 0, Encoding.UTF8.GetBytes("not json"));
        await driver.StartAsync(Topic, 0);
        await driver.PumpAsync();
        await driver.FlushAsync();
        Assert.Single(driver.DeadLetters.Letters);

        // Only one view stored the offset (the others lost theirs): the message is read again, but it
        // was dead-lettered before that view's flush, so it is not sent twice.
        var byCountry = Catalog.GetView("by_country");
        var others = Catalog.Views.Where(v => v != byCountry).ToArray();
        await using var restarted = new SpeedPipelineDriver(Catalog, Options());
        restarted.FakeStore.StoreForeign(byCountry, new SpeedPartitionDelta(0, 0, 0, []));
        restarted.Produce(Topic, 0, Encoding.UTF8.GetBytes("not json"));
        var starts = await restarted.StartAsync(Topic, 0);

        Assert.Equal(0, starts[0]);
        Assert.Equal(ProcessOutcome.Rejected, restarted.Pipeline.Process(Topic, 0, 0, default, Encoding.UTF8.GetBytes("not json")));
        await restarted.FlushAsync();
        Assert.Empty(restarted.DeadLetters.Letters);
        foreach (var view in others)
        {
            Assert.Equal(0, (await restarted.Store.GetMaxOffsetsAsync(view, CancellationToken.None))[0]);
        }

        Assert.Single(restarted.FakeStore.Inserts(byCountry));
    }

    [Fact]
    public async Task A_partition_resumes_at_the_smallest_stored_offset_and_each_view_skips_what_it_has_stored()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        var (_, events) = Feed(driver, partitions: 1, count: 40, seed: 9, malformedRate: 0);
        var byCountry = Catalog.GetView("by_country");
        foreach (var view in Catalog.Views)
        {
            driver.FakeStore.StoreForeign(view, new SpeedPartitionDelta(0, 0, view == byCountry ? 19 : 9, []));
        }

        var starts = await driver.StartAsync(Topic, 0);
        await driver.PumpAsync();
        await driver.FlushAsync();

        Assert.Equal(10, starts[0]);
        var first = driver.FakeStore.Inserts(byCountry)[1].Rows.Select(r => r.FirstOffset).Distinct().Single();
        Assert.Equal(20, first);
        foreach (var view in Catalog.Views.Where(v => v != byCountry))
        {
            Assert.Equal(10, driver.FakeStore.Inserts(view)[1].Rows.Select(r => r.FirstOffset).Distinct().Single());
        }

        foreach (var view in Catalog.Views)
        {
            Assert.Equal(39, (await driver.Store.GetMaxOffsetsAsync(view, CancellationToken.None))[0]);
        }

        Assert.Equal(40, driver.Commits[(Topic, 0)]);
        Assert.Equal(40, events.Count);
    }

    [Fact]
    public async Task Committed_offsets_only_say_where_to_look_and_a_wrong_one_does_not_move_the_resume_point()
    {
        var store = new FakeSpeedTableWriter();
        foreach (var view in Catalog.Views)
        {
            store.StoreForeign(view, new SpeedPartitionDelta(0, 0, 29, []), new SpeedPartitionDelta(1, 0, 9, []));
        }

        var planner = new Lambda.SpeedLayer.Consuming.ResumePlanner(store);
        var views = Catalog.ViewsOf(TestCatalog.Source);

        var hinted = await planner.PlanAsync(Topic, views, [0, 1], new Dictionary<int, long> { [0] = 20, [1] = 500 }, CancellationToken.None);

        Assert.Equal([30L, 10L], hinted.Select(r => r.StartOffset!.Value));
        Assert.All(hinted, r => Assert.All(r.StoredLastOffsets, o => Assert.NotNull(o)));
    }

    [Fact]
    public async Task A_view_with_nothing_stored_makes_its_partition_start_from_the_beginning()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        foreach (var view in Catalog.Views.Skip(1))
        {
            driver.FakeStore.StoreForeign(view, new SpeedPartitionDelta(3, 0, 50, []));
        }

        var starts = await driver.StartAsync(Topic, 3);

        Assert.Equal(0, starts[3]);
    }

    [Fact]
    public async Task Offsets_are_handed_out_for_commit_only_once_every_view_has_stored_them()
    {
        var store = new FakeSpeedTableWriter();
        await using var driver = new SpeedPipelineDriver(Catalog, Options(), store);
        Feed(driver, partitions: 1, count: 10, seed: 2, malformedRate: 0);
        await driver.StartAsync(Topic, 0);
        await driver.PumpAsync();
        Assert.Empty(driver.Commits);

        await driver.FlushAsync();

        Assert.Equal(10, driver.Commits[(Topic, 0)]);
    }

    [Fact]
    public async Task A_flush_is_due_after_the_interval_after_enough_events_or_near_the_row_limit_of_one_insert()
    {
        await using var byTime = new SpeedPipelineDriver(Catalog, Options(flushMaxEvents: 1_000, interval: TimeSpan.FromMilliseconds(500)));
        Feed(byTime, partitions: 1, count: 10, seed: 1, malformedRate: 0);
        await byTime.StartAsync(Topic, 0);
        Assert.False(byTime.Pipeline.IsFlushDue());
        byTime.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(byTime.Pipeline.IsFlushDue());
        await byTime.PumpAsync(1, cutWhenDue: false);
        Assert.True(byTime.Pipeline.IsFlushDue());
        byTime.Pipeline.Cut(_ => true);
        await byTime.PumpAsync(1, cutWhenDue: false);
        Assert.False(byTime.Pipeline.IsFlushDue());
        byTime.Time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(byTime.Pipeline.IsFlushDue());
        byTime.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(byTime.Pipeline.IsFlushDue());

        await using var byCount = new SpeedPipelineDriver(Catalog, Options(flushMaxEvents: 5, interval: TimeSpan.FromHours(1)));
        Feed(byCount, partitions: 1, count: 10, seed: 1, malformedRate: 0);
        await byCount.StartAsync(Topic, 0);
        byCount.Time.Advance(TimeSpan.FromMinutes(1));
        byCount.Pipeline.Cut(_ => true);
        await byCount.PumpAsync(4, cutWhenDue: false);
        Assert.False(byCount.Pipeline.IsFlushDue());
        await byCount.PumpAsync(1, cutWhenDue: false);
        Assert.True(byCount.Pipeline.IsFlushDue());

        // by_price groups by (price, latency): nearly every event is a new row.
        await using var byRows = new SpeedPipelineDriver(Catalog, Options(flushMaxEvents: 100_000, interval: TimeSpan.FromHours(1), maxRows: 60));
        Feed(byRows, partitions: 2, count: 2_000, seed: 4, malformedRate: 0);
        await byRows.StartAsync(Topic, 0, 1);
        await byRows.PumpAsync();
        await byRows.FlushAsync();
        foreach (var view in Catalog.Views)
        {
            Assert.All(byRows.FakeStore.Inserts(view), i => Assert.InRange(i.Rows.Count, 1, 60));
        }

        Assert.True(byRows.FakeStore.Inserts(Catalog.GetView("by_price")).Count >= 10);
    }

    [Fact]
    public async Task While_behind_a_flush_waits_for_the_backlog_interval_or_event_count_and_the_short_interval_returns_once_caught_up()
    {
        await using var driver = await PacedAsync(4, TimeSpan.FromMilliseconds(500), backlogLag: 100, TimeSpan.FromSeconds(5), backlogMaxEvents: 8);
        driver.Pipeline.Lag = 100;
        Assert.True(driver.Pipeline.IsBehind);
        await driver.PumpAsync(1, cutWhenDue: false);
        driver.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(driver.Pipeline.IsFlushDue());
        driver.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(driver.Pipeline.IsFlushDue());
        driver.Pipeline.Cut(_ => true);

        // By count: the backlog's event count, not the caught-up one.
        await driver.PumpAsync(7, cutWhenDue: false);
        Assert.False(driver.Pipeline.IsFlushDue());
        await driver.PumpAsync(1, cutWhenDue: false);
        Assert.True(driver.Pipeline.IsFlushDue());
        driver.Pipeline.Cut(_ => true);

        // Caught up: the short interval applies again at once.
        await driver.PumpAsync(1, cutWhenDue: false);
        driver.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(driver.Pipeline.IsFlushDue());
        driver.Pipeline.Lag = 99;
        Assert.False(driver.Pipeline.IsBehind);
        Assert.True(driver.Pipeline.IsFlushDue());
    }

    [Fact]
    public async Task The_backlog_pacing_never_flushes_more_often_than_the_caught_up_one()
    {
        await using var driver = await PacedAsync(5, TimeSpan.FromSeconds(10), backlogLag: 1, TimeSpan.FromSeconds(1), backlogMaxEvents: 2);
        driver.Pipeline.Lag = 1_000;
        await driver.PumpAsync(4, cutWhenDue: false);
        driver.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(driver.Pipeline.IsFlushDue());
        await driver.PumpAsync(1, cutWhenDue: false);
        Assert.True(driver.Pipeline.IsFlushDue());
    }

    [Fact]
    public async Task A_view_held_back_by_a_full_writer_keeps_its_events_for_the_next_cut()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        Feed(driver, partitions: 1, count: 10, seed: 8, malformedRate: 0);
        await driver.StartAsync(Topic, 0);
        await driver.PumpAsync();
        var byCountry = Catalog.GetView("by_country");

        var first = driver.Pipeline.Cut(v => v != byCountry);

        Assert.DoesNotContain(first, b => b.View == byCountry);
        Assert.True(driver.Pipeline.IsCutIncomplete);
        Assert.True(driver.Pipeline.IsFlushDue());
        var second = driver.Pipeline.Cut(_ => true);
        var batch = Assert.Single(second);
        Assert.Equal(byCountry, batch.View);
        Assert.Equal((0L, 9L), (batch.Deltas[0].FirstOffset, batch.Deltas[0].LastOffset));
        Assert.False(driver.Pipeline.IsCutIncomplete);
    }

    [Fact]
    public async Task A_cut_carries_its_oldest_record_time_and_the_distinct_producer_contexts_and_the_next_cut_starts_afresh()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        await driver.StartAsync(Topic, 0);
        var pipeline = driver.Pipeline;
        var generator = new EventGenerator(seed: 3, malformedRate: 0);
        var first = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        var second = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);

        pipeline.Process(Topic, 0, 0, default, generator.Next(0).Value, 1_764_000_002_000, first);
        pipeline.Process(Topic, 0, 1, default, generator.Next(1).Value, 1_764_000_001_000, second);
        pipeline.Process(Topic, 0, 2, default, generator.Next(2).Value, 1_764_000_003_000, first);
        pipeline.Process(Topic, 0, 3, default, generator.Next(3).Value);
        var batches = pipeline.Cut(_ => true);

        Assert.Equal(Catalog.Views.Count, batches.Count);
        Assert.All(batches, batch =>
        {
            Assert.Equal(new DateTimeOffset(2025, 11, 24, 16, 0, 1, TimeSpan.Zero), batch.OldestRecordTime);
            Assert.Equal([first, second], batch.ProducerContexts!);
        });

        pipeline.Process(Topic, 0, 4, default, generator.Next(4).Value);
        Assert.All(pipeline.Cut(_ => true), batch =>
        {
            Assert.Null(batch.OldestRecordTime);
            Assert.Empty(batch.ProducerContexts!);
        });
    }

    [Fact]
    public async Task Messages_of_partitions_not_assigned_are_ignored()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        var pipeline = driver.Pipeline;

        Assert.Equal(ProcessOutcome.NotAssigned, pipeline.Process(Topic, 0, 0, default, "{}"u8));
        Assert.Equal(ProcessOutcome.NotAssigned, pipeline.Process("other", 0, 0, default, "{}"u8));
        Assert.False(pipeline.HasPending);
    }

    /// <summary>A driver over one partition of 20 events, with the caught-up and the backlog pacing given.</summary>
    private static async Task<SpeedPipelineDriver> PacedAsync(
        int flushMaxEvents, TimeSpan interval, long backlogLag, TimeSpan backlogInterval, int backlogMaxEvents)
    {
        var driver = new SpeedPipelineDriver(Catalog, new SpeedLayerOptions
        {
            FlushMaxEvents = flushMaxEvents,
            FlushInterval = interval,
            BacklogLag = backlogLag,
            BacklogFlushInterval = backlogInterval,
            BacklogFlushMaxEvents = backlogMaxEvents,
        });
        Feed(driver, partitions: 1, count: 20, seed: 3, malformedRate: 0);
        await driver.StartAsync(Topic, 0);
        return driver;
    }

    private static SpeedLayerOptions Options(int flushMaxEvents = 100_000, TimeSpan? interval = null, int maxRows = 500_000) => new()
    {
        FlushMaxEvents = flushMaxEvents,
        FlushInterval = interval ?? TimeSpan.FromHours(1),
        MaxRowsPerInsert = maxRows,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(5),
    };

    private static (Oracle Oracle, List<(int Partition, long Offset, GeneratedEvent Event)> Events) Feed(
        SpeedPipelineDriver driver, int partitions, int count, int seed, double malformedRate = 0.01)
    {
        var generator = new EventGenerator(seed, malformedRate);
        var oracle = new Oracle(Catalog);
        var events = new List<(int, long, GeneratedEvent)>(count);
        for (var i = 0; i < count; i++)
        {
            var generated = generator.Next(i);
            var partition = i % partitions;
            var offset = driver.Produce(Topic, partition, generated.Value, Encoding.UTF8.GetBytes(generated.Key));
            events.Add((partition, offset, generated));
            oracle.Add(generated);
        }

        return (oracle, events);
    }
}
