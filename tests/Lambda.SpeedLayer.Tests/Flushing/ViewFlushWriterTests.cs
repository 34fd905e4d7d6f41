using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Lambda.Shared.SpeedViews;
using Lambda.Shared.Telemetry;
using Lambda.SpeedLayer.Flushing;
using Lambda.SpeedLayer.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Tests.Flushing;

/// <summary>Ordered flush writing with retries, checked against what the store holds.</summary>
public sealed class ViewFlushWriterTests
{
    private const string Topic = "shop-events";
    private static readonly LambdaCatalog Catalog = TestCatalog.Parse(Topic);

    [Fact]
    public async Task An_insert_stored_before_its_answer_was_lost_is_not_repeated()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        var oracle = Feed(driver, 200);
        await driver.StartAsync(Topic, 0, 1);
        await driver.PumpAsync(100);
        await driver.FlushAsync();
        var attempts = driver.FakeStore.InsertAttempts;
        driver.FakeStore.FailNextInserts(Enumerable.Repeat(InsertFailure.AfterStoring, Catalog.Views.Count).ToArray());

        await driver.PumpAsync();
        await driver.FlushAsync();

        Assert.Null(driver.Fault);
        Assert.Equal(attempts + Catalog.Views.Count, driver.FakeStore.InsertAttempts);
        foreach (var view in Catalog.Views)
        {
            Assert.Equal(2, driver.FakeStore.Inserts(view).Count);
            oracle.AssertEqual(view, await driver.ReadAsync(view));
        }
    }

    [Fact]
    public async Task An_insert_that_failed_before_storing_is_retried_until_it_succeeds()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        using var retries = new MetricCollector<long>(driver.Meters, LambdaTelemetryNames.SpeedLayer, "lambda.speed.insert_retries");
        var oracle = Feed(driver, 300);
        await driver.StartAsync(Topic, 0, 1);
        driver.FakeStore.FailNextInserts(Enumerable.Repeat(InsertFailure.BeforeStoring, 3 * Catalog.Views.Count).ToArray());

        await driver.PumpAsync();
        await driver.FlushAsync();

        Assert.Null(driver.Fault);
        Assert.Equal(4 * Catalog.Views.Count, driver.FakeStore.InsertAttempts);
        foreach (var view in Catalog.Views)
        {
            Assert.Single(driver.FakeStore.Inserts(view));
            oracle.AssertEqual(view, await driver.ReadAsync(view));
        }

        Assert.Equal(3 * Catalog.Views.Count, retries.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task A_stored_flush_links_to_the_requests_that_produced_its_records_and_records_their_freshness()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        using var freshness = new MetricCollector<double>(driver.Meters, LambdaTelemetryNames.SpeedLayer, "lambda.speed.freshness");
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LambdaTelemetryNames.SpeedLayer,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await driver.StartAsync(Topic, 0);
        var producer = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        var producedAt = DateTimeOffset.UtcNow.AddSeconds(-5);
        var generator = new EventGenerator(seed: 5, malformedRate: 0);

        driver.Pipeline.Process(Topic, 0, 0, default, generator.Next(0).Value, producedAt.ToUnixTimeMilliseconds(), producer);
        await driver.FlushAsync();

        var flushes = stopped.Where(a => a.Links.Any(l => l.Context.TraceId == producer.TraceId && l.Context.SpanId == producer.SpanId)).ToArray();
        Assert.Equal(Catalog.Views.Count, flushes.Length);
        Assert.All(flushes, a => Assert.Equal("speed.flush", a.OperationName));
        Assert.Equal(Catalog.Views.Select(v => v.Name).Order(), flushes.Select(a => (string)a.GetTagItem("lambda.view")!).Order());
        var seconds = freshness.GetMeasurementSnapshot();
        Assert.Equal(Catalog.Views.Count, seconds.Count);
        Assert.All(seconds, m => Assert.InRange(m.Value, 5, 60));
    }

    [Fact]
    public async Task Data_another_writer_stored_in_the_partition_stops_the_writer_instead_of_counting_twice()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        Feed(driver, 100);
        await driver.StartAsync(Topic, 0, 1);
        await driver.PumpAsync();
        var byCountry = Catalog.GetView("by_country");
        driver.FakeStore.StoreForeign(byCountry, new SpeedPartitionDelta(1, 0, 20, []));

        await Assert.ThrowsAnyAsync<Exception>(driver.FlushAsync);

        var conflict = Assert.IsType<SpeedWriteConflictException>(driver.Fault);
        Assert.Contains("partition 1", conflict.Message, StringComparison.Ordinal);
        Assert.Single(driver.FakeStore.Inserts(byCountry));
    }

    [Fact]
    public async Task A_flush_waits_until_the_dead_letters_of_its_range_are_stored_and_fails_when_they_cannot_be()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, Options());
        driver.DeadLetters.HoldDeliveries();
        driver.Produce(Topic, 0, Encoding.UTF8.GetBytes("{\"broken\":"));
        await driver.StartAsync(Topic, 0);
        await driver.PumpAsync();

        var flush = driver.FlushAsync();
        await Task.Delay(200);

        Assert.False(flush.IsCompleted);
        Assert.Equal(0, driver.FakeStore.InsertAttempts);
        driver.DeadLetters.Release();
        await flush;
        Assert.Single(driver.DeadLetters.Letters);
        Assert.All(Catalog.Views, v => Assert.Single(driver.FakeStore.Inserts(v)));

        driver.DeadLetters.HoldDeliveries();
        driver.Produce(Topic, 0, Encoding.UTF8.GetBytes("[]"));
        await driver.PumpAsync();
        var failing = driver.FlushAsync();
        driver.DeadLetters.Fail(new InvalidOperationException("broker gone"));

        await Assert.ThrowsAnyAsync<Exception>(() => failing);
        Assert.IsType<InvalidOperationException>(driver.Fault);
        Assert.All(Catalog.Views, v => Assert.Single(driver.FakeStore.Inserts(v)));
    }

    [Theory]
    [InlineData(null, 5L, null, false, false)]
    [InlineData(4L, 5L, 4L, false, false)]
    [InlineData(4L, 9L, 9L, true, true)]
    [InlineData(null, 9L, 9L, true, true)]
    [InlineData(4L, 9L, 4L, true, false)]
    public void Reconcile_tells_stored_from_not_stored(long? before, long last, long? stored, bool mayBeStored, bool alreadyStored)
    {
        var delta = new SpeedPartitionDelta(0, (before ?? -1) + 1, last, []);
        var table = stored is { } s ? new Dictionary<int, long> { [0] = s } : [];

        Assert.Equal(alreadyStored ? StoredState.AlreadyStored : StoredState.NotStored, ViewFlushWriter.Reconcile("v", [delta], [before], table, mayBeStored));
    }

    [Theory]
    [InlineData(4L, 9L, 6L, true)]
    [InlineData(4L, 9L, 12L, true)]
    [InlineData(4L, 9L, 9L, false)]
    [InlineData(null, 9L, 3L, false)]
    [InlineData(4L, 9L, null, true)]
    public void Reconcile_refuses_offsets_another_writer_stored(long? before, long last, long? stored, bool mayBeStored)
    {
        var delta = new SpeedPartitionDelta(2, (before ?? -1) + 1, last, []);
        var table = stored is { } s ? new Dictionary<int, long> { [2] = s } : [];

        var error = Assert.Throws<SpeedWriteConflictException>(() => ViewFlushWriter.Reconcile("v", [delta], [before], table, mayBeStored));
        Assert.Contains("view 'v', partition 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reconcile_refuses_an_insert_that_shows_in_some_partitions_only()
    {
        SpeedPartitionDelta[] deltas = [new(0, 0, 9, []), new(1, 0, 9, [])];
        var stored = new Dictionary<int, long> { [0] = 9 };

        Assert.Throws<SpeedWriteConflictException>(() => ViewFlushWriter.Reconcile("v", deltas, [null, null], stored, mayBeStored: true));
    }

    private static SpeedLayerOptions Options() => new()
    {
        FlushInterval = TimeSpan.FromHours(1),
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(5),
    };

    private static Oracle Feed(SpeedPipelineDriver driver, int count)
    {
        var generator = new EventGenerator(17);
        var oracle = new Oracle(Catalog);
        for (var i = 0; i < count; i++)
        {
            var generated = generator.Next(i);
            driver.Produce(Topic, i % 2, generated.Value);
            oracle.Add(generated);
        }

        return oracle;
    }

}
