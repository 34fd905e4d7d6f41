using Lambda.BatchLayer.Loading;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Lambda.BatchLayer.Tests.Loading;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>The runner's orchestration with fakes for the engine, the store, the lock and the loader.</summary>
public sealed class RecomputeRunnerTests : IDisposable
{
    private static readonly DateOnly Day1 = new(2026, 11, 24);
    private static readonly DateOnly Day2 = new(2026, 11, 25);

    private readonly InMemoryBatchRunStore _store = new();
    private readonly RecordingLoader _loader = new();
    private readonly CountingLock _lock = new();
    private readonly ScriptedRecomputeEngine _engine = new();
    private readonly string _root = Directory.CreateTempSubdirectory("lambda-runner-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_published_run_loads_each_recomputed_day_and_is_recorded_as_succeeded()
    {
        _engine.ThenReturn(Published("e1", Day1, Day2));
        var run = await Runner().RunAsync(Run(), null, CancellationToken.None);

        Assert.Equal(BatchRunState.Succeeded, run.State);
        Assert.Equal("e1", run.EngineRunId);
        Assert.Equal(2, run.DaysRecomputed);
        Assert.Equal(2, run.DaysLoaded);
        Assert.Equal(
            [("revenue_by_country", Day1, Path.Combine(_root, "views/revenue_by_country/e1/2026-11-24.parquet")),
             ("revenue_by_country", Day2, Path.Combine(_root, "views/revenue_by_country/e1/2026-11-25.parquet"))],
            _loader.Loads);
        Assert.Empty(await _store.GetPendingLoadsAsync(CancellationToken.None));
        Assert.Equal((1, 1), (_lock.Acquired, _lock.Released));
        Assert.Null(run.Error);
        Assert.NotNull(run.FinishedAt);
    }

    [Fact]
    public async Task A_run_with_nothing_new_is_recorded_as_nothing_to_do_and_loads_nothing()
    {
        _engine.ThenReturn(Published("e1", Day1)).ThenReturn(ScriptedRecomputeEngine.NothingToDo("e2"));
        var runner = Runner();
        await runner.RunAsync(Run(), null, CancellationToken.None);
        _loader.Loads.Clear();

        var second = await runner.RunAsync(Run(), null, CancellationToken.None);

        Assert.Equal(BatchRunState.NothingToDo, second.State);
        Assert.Equal(0, second.DaysRecomputed);
        Assert.Equal(0, second.DaysLoaded);
        Assert.Empty(_loader.Loads);
    }

    [Fact]
    public async Task An_engine_failure_is_recorded_and_rethrown_for_hangfire_to_retry()
    {
        _engine.ThenFail("disk on fire");
        var error = await Assert.ThrowsAsync<IOException>(() => Runner().RunAsync(Run(jobId: "9", attempt: 1), null, CancellationToken.None));

        Assert.Equal("disk on fire", error.Message);
        var run = Assert.Single(await _store.ListByJobAsync("9", CancellationToken.None));
        Assert.Equal(BatchRunState.Failed, run.State);
        Assert.Equal("IOException: disk on fire", run.Error);
        Assert.Equal((1, 1), (_lock.Acquired, _lock.Released));
    }

    [Fact]
    public async Task A_day_that_failed_to_load_stays_pending_and_the_next_run_loads_it()
    {
        _engine.ThenReturn(Published("e1", Day1)).ThenReturn(ScriptedRecomputeEngine.NothingToDo("e2"));
        _loader.FailuresLeft = 1;
        var runner = Runner();
        await Assert.ThrowsAsync<IOException>(() => runner.RunAsync(Run(), null, CancellationToken.None));
        Assert.Single(await _store.GetPendingLoadsAsync(CancellationToken.None));

        var retry = await runner.RunAsync(Run(), null, CancellationToken.None);

        Assert.Equal(BatchRunState.NothingToDo, retry.State);
        Assert.Equal(1, retry.DaysLoaded);
        Assert.Equal([("revenue_by_country", Day1)], _loader.Loads.Select(l => (l.View, l.Day)));
        Assert.Empty(await _store.GetPendingLoadsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_newer_run_supersedes_an_unloaded_day_so_only_the_newest_file_is_loaded()
    {
        _engine.ThenReturn(Published("e1", Day1)).ThenReturn(Published("e2", Day1));
        _loader.FailuresLeft = 1;
        var runner = Runner();
        await Assert.ThrowsAsync<IOException>(() => runner.RunAsync(Run(), null, CancellationToken.None));
        await runner.RunAsync(Run(), null, CancellationToken.None);

        var load = Assert.Single(_loader.Loads);
        Assert.Contains("/e2/", load.File, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_day_published_under_another_dataset_root_is_not_loaded_and_does_not_fail_the_run()
    {
        var otherRoot = Directory.CreateTempSubdirectory("lambda-runner-other-").FullName;
        Directory.Delete(otherRoot, recursive: true);
        _engine.ThenReturn(PublishedUnder(otherRoot, "elsewhere", Day1)).ThenReturn(Published("e2", Day2));

        var first = await Runner().RunAsync(Run(), null, CancellationToken.None);
        var second = await Runner().RunAsync(Run(), null, CancellationToken.None);

        Assert.Equal((BatchRunState.Succeeded, 0), (first.State, first.DaysLoaded));
        Assert.Equal((BatchRunState.Succeeded, 1), (second.State, second.DaysLoaded));
        Assert.Equal([("revenue_by_country", Day2, Path.Combine(_root, "views/revenue_by_country/e2/2026-11-25.parquet"))], _loader.Loads);
        Assert.Equal(Day1, Assert.Single(await _store.GetPendingLoadsAsync(CancellationToken.None)).Day);
        Directory.Delete(otherRoot, recursive: true);
    }

    [Fact]
    public async Task Loading_can_be_switched_off()
    {
        _engine.ThenReturn(Published("e1", Day1));
        var run = await Runner(loadEnabled: false).RunAsync(Run(), null, CancellationToken.None);
        Assert.Equal(BatchRunState.Succeeded, run.State);
        Assert.Equal(0, run.DaysLoaded);
        Assert.Empty(_loader.Loads);
    }

    [Fact]
    public async Task A_busy_lock_fails_the_run_without_calling_the_engine()
    {
        _engine.ThenReturn(Published("e1", Day1));
        _lock.Refuse = true;
        await Assert.ThrowsAsync<RecomputeLockTimeoutException>(() => Runner().RunAsync(Run(jobId: "3"), null, CancellationToken.None));
        Assert.Equal(0, _engine.Calls);
        Assert.Equal(BatchRunState.Failed, Assert.Single(await _store.ListByJobAsync("3", CancellationToken.None)).State);
    }

    [Fact]
    public async Task Cancellation_is_recorded_as_cancelled()
    {
        using var cts = new CancellationTokenSource();
        _engine.Then(async (_, _, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return ScriptedRecomputeEngine.NothingToDo();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runner().RunAsync(Run(jobId: "5"), null, cts.Token));
        var run = Assert.Single(await _store.ListByJobAsync("5", CancellationToken.None));
        Assert.Equal(BatchRunState.Cancelled, run.State);
    }

    [Fact]
    public async Task Without_an_engine_the_run_fails_with_a_message_that_says_so()
    {
        var runner = Runner(engine: null);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(Run(jobId: "1"), null, CancellationToken.None));
        Assert.Contains("No recompute engine is registered", error.Message, StringComparison.Ordinal);
        Assert.Equal(BatchRunState.Failed, Assert.Single(await _store.ListByJobAsync("1", CancellationToken.None)).State);
    }

    [Fact]
    public async Task Progress_reaches_the_caller_from_waiting_through_the_engine_to_done()
    {
        _engine.Then((_, progress, _) =>
        {
            progress!.Report(new RecomputeProgress("aggregate", 1, 2, 100));
            return Task.FromResult(Published("e1", Day1));
        });
        var reports = new List<RecomputeProgress>();
        await Runner().RunAsync(Run(), new Commands.SynchronousProgressForTests<RecomputeProgress>(reports.Add), CancellationToken.None);

        Assert.Equal(["waiting", "aggregate", "load", "load", "done"], reports.Select(r => r.Stage));
        Assert.Equal(100, reports.Last().RowsRead);
    }

    private static RecomputeRun Run(string? jobId = null, int attempt = 1) =>
        new() { Request = new RecomputeRequest(), RequestedBy = "test", JobId = jobId, Attempt = attempt };

    // The loader is a fake, but the runner only loads files that exist under its dataset root.
    private RecomputeResult Published(string runId, params DateOnly[] days) => PublishedUnder(_root, runId, days);

    private static RecomputeResult PublishedUnder(string root, string runId, params DateOnly[] days) => new()
    {
        RunId = runId,
        NothingToDo = false,
        Days = days.Select(d => new RecomputedDay("revenue_by_country", d, 10, Touch(root, $"views/revenue_by_country/{runId}/{d:yyyy-MM-dd}.parquet"))).ToArray(),
        RowsRead = 100,
        RowsWritten = 10 * days.Length,
        StartedAt = DateTimeOffset.UtcNow,
        FinishedAt = DateTimeOffset.UtcNow,
    };

    private static string Touch(string root, string relative)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        return relative;
    }

    private RecomputeRunner Runner(bool loadEnabled = true) => Runner(_engine, loadEnabled);

    private RecomputeRunner Runner(IRecomputeEngine? engine, bool loadEnabled = true)
    {
        var services = new ServiceCollection();
        if (engine is not null)
        {
            services.AddSingleton(engine);
        }

        return new RecomputeRunner(
            services.BuildServiceProvider(),
            _store,
            _lock,
            _loader,
            TestViews.Default,
            Options.Create(new BatchLayerOptions { DatasetRoot = _root }),
            Options.Create(new BatchScheduleOptions()),
            Options.Create(new BatchLoadOptions { Enabled = loadEnabled }),
            TimeProvider.System,
            NullLogger<RecomputeRunner>.Instance);
    }
}
