using Lambda.Testing;
using Hangfire;
using Hangfire.Common;
using Lambda.BatchLayer.Compaction;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.BatchLayer.Tests.Scheduling;
using Lambda.Shared.Deployment;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Compaction;

public sealed class CompactionRunnerTests : IDisposable
{
    private readonly TestDirectory _root = new("compaction-runner");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task The_runner_compacts_every_source_while_holding_the_recompute_lock()
    {
        var orders = TestCatalogs.Default.GetSource("orders");
        await OrderDatasets.WriteAsync(_root.Path, orders, OrderDatasets.Messages(orders, 600, 2, seed: 31), perCommit: 30);
        var before = await DatasetContents.ReadAsync(_root.Path, orders);
        var recomputeLock = new CountingLockProbe(_root.Path, orders.Name);

        var results = await Runner(recomputeLock).RunAsync(_root.Path, TimeSpan.Zero, null, CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal("orders", result.Source);
        Assert.Equal(20, result.RecordsSuperseded);
        Assert.Equal(20, result.FilesBefore);
        Assert.Equal(Dataset.CompactionTests.DaysHoldingRows(before), result.FilesAfter);
        Assert.Equal((1, 1), (recomputeLock.Acquired, recomputeLock.Released));
        Assert.Equal(20, recomputeLock.RecordsWhenAcquired);
        (await DatasetContents.ReadAsync(_root.Path, orders)).AssertSameAs(before, "after the runner");
    }

    [Fact]
    public async Task Nothing_is_compacted_while_a_recompute_holds_the_lock()
    {
        var orders = TestCatalogs.Default.GetSource("orders");
        await OrderDatasets.WriteAsync(_root.Path, orders, OrderDatasets.Messages(orders, 200, 1, seed: 32), perCommit: 20);

        await Assert.ThrowsAsync<RecomputeLockTimeoutException>(() => Runner(new CountingLock { Refuse = true }).RunAsync(_root.Path, TimeSpan.Zero, null, CancellationToken.None));

        Assert.Equal(10, new CommitLog(_root.Path, orders.Name).ReadCommits().Count);
    }

    [Fact]
    public async Task Commits_younger_than_the_configured_minimum_age_stay()
    {
        var orders = TestCatalogs.Default.GetSource("orders");
        await OrderDatasets.WriteAsync(_root.Path, orders, OrderDatasets.Messages(orders, 200, 1, seed: 33), perCommit: 20);

        var results = await Runner(new CountingLock()).RunAsync(_root.Path, cancellationToken: CancellationToken.None);

        Assert.Equal(0, Assert.Single(results).RecordsSuperseded);
        Assert.Equal(10, new CommitLog(_root.Path, orders.Name).ReadCommits().Count);
    }

    [Fact]
    public async Task The_registrar_schedules_the_compaction_job_or_removes_it()
    {
        var manager = new RecordingRecurringJobManager();
        var schedule = Options.Create(new BatchScheduleOptions { RecurringJobEnabled = false });

        var registrar = new RecurringJobRegistrar(manager, schedule, Options.Create(new CompactionOptions { Cron = "5 * * * *" }), NullLogger<RecurringJobRegistrar>.Instance, Options.Create(new LambdaModeOptions()));
        await registrar.StartAsync(CancellationToken.None);
        var (id, job, cron, queue) = Assert.Single(manager.Added);
        Assert.Equal((CompactionJob.RecurringJobId, typeof(CompactionJob), nameof(CompactionJob.RunAsync), "5 * * * *", RecomputeJob.Queue), (id, job.Type, job.Method.Name, cron, queue));

        registrar = new RecurringJobRegistrar(manager, schedule, Options.Create(new CompactionOptions { RecurringJobEnabled = false }), NullLogger<RecurringJobRegistrar>.Instance, Options.Create(new LambdaModeOptions()));
        await registrar.StartAsync(CancellationToken.None);
        Assert.Contains(CompactionJob.RecurringJobId, manager.Removed);
    }

    [Fact]
    public void Options_are_validated_and_failures_name_the_key()
    {
        var validator = new CompactionOptionsValidator();
        Assert.True(validator.Validate(null, new CompactionOptions()).Succeeded);

        // The default runs every 15 minutes: a 30-minute soak sees at least one compaction per recompute interval.
        var cron = BatchScheduleOptionsValidator.ParseCron(new CompactionOptions().Cron);
        var from = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc);
        var runs = cron.GetOccurrences(from, from.AddHours(2)).ToList();
        Assert.Equal(8, runs.Count);
        Assert.All(runs.Zip(runs.Skip(1)), p => Assert.Equal(TimeSpan.FromMinutes(15), p.Second - p.First));

        var result = validator.Validate(null, new CompactionOptions
        {
            Cron = "every hour",
            MinAge = TimeSpan.FromMinutes(-1),
            MaxEventsPerRecord = 1,
            RowGroupSize = 0,
            LockWaitTimeout = TimeSpan.Zero,
        });

        Assert.False(result.Succeeded);
        foreach (var key in new[] { "Cron", "MinAge", "MaxEventsPerRecord", "RowGroupSize", "LockWaitTimeout" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith($"Batch:Compaction:{key} ", StringComparison.Ordinal));
        }
    }

    private static CompactionRunner Runner(IRecomputeLock recomputeLock) => new(
        TestCatalogs.Default,
        Options.Create(new BatchLayerOptions()),
        Options.Create(new CompactionOptions { FlushToDisk = false }),
        recomputeLock,
        TimeProvider.System,
        NullLogger<CompactionRunner>.Instance);

    /// <summary>A lock that records how many commit records existed when it was taken (before any compaction).</summary>
    private sealed class CountingLockProbe(string root, string source) : IRecomputeLock
    {
        public int Acquired { get; private set; }

        public int Released { get; private set; }

        public int RecordsWhenAcquired { get; private set; }

        public Task<IAsyncDisposable> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            Acquired++;
            RecordsWhenAcquired = new CommitLog(root, source).ReadCommits().Count;
            return Task.FromResult<IAsyncDisposable>(new Lease(this));
        }

        private sealed class Lease(CountingLockProbe owner) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                owner.Released++;
                return ValueTask.CompletedTask;
            }
        }
    }

    private sealed class RecordingRecurringJobManager : IRecurringJobManager
    {
        public List<(string Id, Job Job, string Cron, string Queue)> Added { get; } = [];

        public List<string> Removed { get; } = [];

        public void AddOrUpdate(string recurringJobId, Job job, string cronExpression, RecurringJobOptions options) =>
            Added.Add((recurringJobId, job, cronExpression, job.Queue ?? "default"));

        public void Trigger(string recurringJobId) => throw new InvalidOperationException("not expected");

        public void RemoveIfExists(string recurringJobId) => Removed.Add(recurringJobId);
    }
}
