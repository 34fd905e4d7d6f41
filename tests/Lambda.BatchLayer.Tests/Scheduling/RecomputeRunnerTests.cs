using Lambda.BatchLayer.Loading;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Deployment;
using Lambda.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// The runner's orchestration with fakes for the engine, the store, the lock and the loader (one ClickHouse
/// database), and a real manifest under a temporary dataset root: the engine stand-ins publish through it.
/// </summary>
public sealed class RecomputeRunnerTests : IDisposable
{
    private static readonly DateOnly Day1 = new(2026, 11, 24);
    private static readonly DateOnly Day2 = new(2026, 11, 25);

    private readonly InMemoryBatchRunStore _store = new();
    private readonly RecordingLoader _loader = new();
    private readonly CountingLock _lock = new();
    private readonly ScriptedRecomputeEngine _engine = new();
    private readonly string _root = Directory.CreateTempSubdirectory("lambda-runner-").FullName;
    private readonly string _otherRoot = Directory.CreateTempSubdirectory("lambda-runner-other-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_otherRoot, recursive: true);
    }

    [Fact]
    public async Task A_published_run_loads_each_recomputed_day_and_is_recorded_as_succeeded()
    {
        _engine.Then(Publish("e1", Day1, Day2));
        var run = await Runner().RunAsync(Run(), null, CancellationToken.None);

        Assert.Equal(BatchRunState.Succeeded, run.State);
        Assert.Equal("e1", run.EngineRunId);
        Assert.Equal(2, run.DaysRecomputed);
        Assert.Equal(2, run.DaysLoaded);
        Assert.Equal([("revenue_by_country", Day1, FileOf("e1", Day1)), ("revenue_by_country", Day2, FileOf("e1", Day2))], _loader.Loads);
        Assert.Equal(("e1", DayFile("e1", Day1)), _loader.Held(TestCatalogs.RevenueByCountry, Day1));
        Assert.Equal(("e1", DayFile("e1", Day2)), _loader.Held(TestCatalogs.RevenueByCountry, Day2));
        Assert.Equal((1, 1), (_lock.Acquired, _lock.Released));
        Assert.Null(run.Error);
        Assert.NotNull(run.FinishedAt);
    }

    [Fact]
    public async Task A_run_with_nothing_new_is_recorded_as_nothing_to_do_and_loads_nothing()
    {
        _engine.Then(Publish("e1", Day1)).ThenReturn(ScriptedRecomputeEngine.NothingToDo("e2"));
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
    public async Task A_run_loads_only_the_days_it_recomputed_when_clickhouse_holds_the_others()
    {
        _engine.Then(Publish("e1", Day1, Day2)).Then(Publish("e2", Day2));
        var runner = Runner();
        await runner.RunAsync(Run(), null, CancellationToken.None);
        _loader.Loads.Clear();

        var second = await runner.RunAsync(Run(), null, CancellationToken.None);

        Assert.Equal((BatchRunState.Succeeded, 1), (second.State, second.DaysLoaded));
        Assert.Equal([("revenue_by_country", Day2, FileOf("e2", Day2))], _loader.Loads);
        Assert.Equal(("e1", DayFile("e1", Day1)), _loader.Held(TestCatalogs.RevenueByCountry, Day1));
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

    [Theory]
    [InlineData("loading into ClickHouse failed")]
    [InlineData("recording the run in PostgreSQL failed after the engine published")]
    public async Task A_day_whose_load_failed_in_an_earlier_run_is_loaded_by_the_next_run(string failure)
    {
        _engine.Then(Publish("e1", Day1)).ThenReturn(ScriptedRecomputeEngine.NothingToDo("e2"));
        if (failure.StartsWith("loading", StringComparison.Ordinal))
        {
            _loader.FailuresLeft = 1;
        }
        else
        {
            _store.FailNextRecordResult = "PostgreSQL connection lost";
        }

        var runner = Runner();
        await Assert.ThrowsAsync<IOException>(() => runner.RunAsync(Run(), null, CancellationToken.None));
        Assert.Empty(_loader.Loads);

        var retry = await runner.RunAsync(Run(), null, CancellationToken.None);

        Assert.Equal(BatchRunState.NothingToDo, retry.State);
        Assert.Equal(1, retry.DaysLoaded);
        Assert.Equal([("revenue_by_country", Day1, FileOf("e1", Day1))], _loader.Loads);
        Assert.Equal(("e1", DayFile("e1", Day1)), _loader.Held(TestCatalogs.RevenueByCountry, Day1));
    }

    [Fact]
    public async Task A_newer_run_supersedes_an_unloaded_day_so_only_the_newest_file_is_loaded()
    {
        _engine.Then(Publish("e1", Day1)).Then(Publish("e2", Day1));
        _loader.FailuresLeft = 1;
        var runner = Runner();
        await Assert.ThrowsAsync<IOException>(() => runner.RunAsync(Run(), null, CancellationToken.None));
        await runner.RunAsync(Run(), null, CancellationToken.None);

        var load = Assert.Single(_loader.Loads);
        Assert.Equal(FileOf("e2", Day1), load.File);
    }

    [Fact]
    public async Task Days_recorded_in_the_run_history_by_another_dataset_root_are_not_loaded_and_do_not_stop_this_roots_loads()
    {
        // Another deployment (or the end-to-end test) shares this PostgreSQL with loading off, so its days stay
        // unloaded in the run history. One of its files has a relative path that also exists under this root.
        var other = new ScriptedRecomputeEngine().Then(PublishUnder(_otherRoot, "other", Day1, Day2));
        var otherRun = await Runner(other, _otherRoot, loadEnabled: false).RunAsync(Run(), null, CancellationToken.None);
        Assert.Equal(BatchRunState.Succeeded, otherRun.State);
        Touch(_root, DayFile("other", Day1));
        Assert.Equal(2, _store.Days.Count(d => d.RunId == otherRun.Id));

        _engine.Then(Publish("e1", Day2));
        var first = await Runner().RunAsync(Run(), null, CancellationToken.None);
        var second = await Runner(ScriptedRecomputeEngine.NothingToDo("e2")).RunAsync(Run(), null, CancellationToken.None);

        Assert.Equal((BatchRunState.Succeeded, 1), (first.State, first.DaysLoaded));
        Assert.Equal((BatchRunState.NothingToDo, 0), (second.State, second.DaysLoaded));
        Assert.Equal([("revenue_by_country", Day2, FileOf("e1", Day2))], _loader.Loads);
        Assert.Null(_loader.Held(TestCatalogs.RevenueByCountry, Day1));
    }

    [Fact]
    public async Task A_day_another_root_loaded_over_this_roots_file_in_a_shared_clickhouse_is_loaded_again()
    {
        var other = new ScriptedRecomputeEngine().Then(PublishUnder(_otherRoot, "other", Day1));
        _engine.Then(Publish("e1", Day1)).ThenReturn(ScriptedRecomputeEngine.NothingToDo("e2"));
        await Runner().RunAsync(Run(), null, CancellationToken.None);
        await Runner(other, _otherRoot).RunAsync(Run(), null, CancellationToken.None);
        Assert.Equal(("other", DayFile("other", Day1)), _loader.Held(TestCatalogs.RevenueByCountry, Day1));

        var again = await Runner().RunAsync(Run(), null, CancellationToken.None);

        Assert.Equal((BatchRunState.NothingToDo, 1), (again.State, again.DaysLoaded));
        Assert.Equal(FileOf("e1", Day1), _loader.Loads[^1].File);
        Assert.Equal(("e1", DayFile("e1", Day1)), _loader.Held(TestCatalogs.RevenueByCountry, Day1));
    }

    [Fact]
    public async Task A_file_the_manifest_names_that_is_missing_fails_the_run_naming_the_file_before_anything_is_loaded()
    {
        var missing = DayFile("e1", Day2);
        _engine.Then(async (request, progress, ct) =>
        {
            var result = await Publish("e1", Day1, Day2)(request, progress, ct);
            File.Delete(BatchViewLayout.Resolve(_root, missing));
            return result;
        });

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => Runner().RunAsync(Run(jobId: "4"), null, CancellationToken.None));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Equal(BatchViewLayout.Resolve(_root, missing), error.FileName);
        var run = Assert.Single(await _store.ListByJobAsync("4", CancellationToken.None));
        Assert.Equal(BatchRunState.Failed, run.State);
        Assert.Contains(missing, run.Error, StringComparison.Ordinal);
        Assert.Empty(_loader.Loads);
    }

    [Fact]
    public async Task A_view_published_for_another_definition_than_the_catalogs_is_not_loaded()
    {
        var view = TestCatalogs.RevenueByCountry;
        var file = Touch(_root, DayFile("old", Day1));
        await TestManifests.PublishAsync(_root, view, "old", [new RecomputedDay(view.Name, Day1, 10, file)], CancellationToken.None, definitionHash: new string('0', 64));
        _engine.ThenReturn(ScriptedRecomputeEngine.NothingToDo("e1"));

        var run = await Runner().RunAsync(Run(), null, CancellationToken.None);

        Assert.Equal((BatchRunState.NothingToDo, 0), (run.State, run.DaysLoaded));
        Assert.Empty(_loader.Loads);
    }

    [Fact]
    public async Task Without_a_manifest_nothing_is_loaded()
    {
        _engine.ThenReturn(ScriptedRecomputeEngine.NothingToDo("e1"));
        var run = await Runner().RunAsync(Run(), null, CancellationToken.None);
        Assert.Equal((BatchRunState.NothingToDo, 0), (run.State, run.DaysLoaded));
        Assert.Empty(_loader.Loads);
    }

    [Fact]
    public void A_manifest_store_of_another_dataset_root_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new RecomputeRunner(
            new ServiceCollection().BuildServiceProvider(),
            _store,
            _lock,
            _loader,
            new ManifestStore(_otherRoot),
            TestCatalogs.Default,
            Options.Create(new BatchLayerOptions { DatasetRoot = _root }),
            Options.Create(new BatchScheduleOptions()),
            Options.Create(new BatchLoadOptions()),
            TimeProvider.System,
            NullLogger<RecomputeRunner>.Instance,
            Options.Create(new LambdaModeOptions())));
        Assert.Equal("manifests", error.ParamName);
        Assert.Contains(_otherRoot, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loading_can_be_switched_off()
    {
        _engine.Then(Publish("e1", Day1));
        var run = await Runner(loadEnabled: false).RunAsync(Run(), null, CancellationToken.None);
        Assert.Equal(BatchRunState.Succeeded, run.State);
        Assert.Equal(0, run.DaysLoaded);
        Assert.Empty(_loader.Loads);
    }

    [Fact]
    public async Task A_busy_lock_fails_the_run_without_calling_the_engine()
    {
        _engine.Then(Publish("e1", Day1));
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
        _engine.Then((request, progress, ct) =>
        {
            progress!.Report(new RecomputeProgress("aggregate", 1, 2, 100));
            return Publish("e1", Day1)(request, progress, ct);
        });
        var reports = new List<RecomputeProgress>();
        await Runner().RunAsync(Run(), new Commands.SynchronousProgressForTests<RecomputeProgress>(reports.Add), CancellationToken.None);

        Assert.Equal(["waiting", "aggregate", "load", "load", "done"], reports.Select(r => r.Stage));
        Assert.Equal(100, reports.Last().RowsRead);
    }

    private static RecomputeRun Run(string? jobId = null, int attempt = 1) =>
        new() { Request = new RecomputeRequest(), RequestedBy = "test", JobId = jobId, Attempt = attempt };

    private static string DayFile(string runId, DateOnly day) => BatchViewLayout.DayFile(TestCatalogs.RevenueByCountry, runId, day);

    private string FileOf(string runId, DateOnly day) => BatchViewLayout.Resolve(_root, DayFile(runId, day));

    private Func<RecomputeRequest, IProgress<RecomputeProgress>?, CancellationToken, Task<RecomputeResult>> Publish(string runId, params DateOnly[] days) =>
        PublishUnder(_root, runId, days);

    // Stands in for the engine: files (empty: the loader is a fake) under the root, named by the root's manifest.
    private static Func<RecomputeRequest, IProgress<RecomputeProgress>?, CancellationToken, Task<RecomputeResult>> PublishUnder(
        string root, string runId, params DateOnly[] days) => async (_, _, ct) =>
    {
        var view = TestCatalogs.RevenueByCountry;
        var published = days.Select(d => new RecomputedDay(view.Name, d, 10, Touch(root, DayFile(runId, d)))).ToArray();
        await TestManifests.PublishAsync(root, view, runId, published, ct);
        return new RecomputeResult
        {
            RunId = runId,
            NothingToDo = false,
            Days = published,
            RowsRead = 100,
            RowsWritten = 10 * days.Length,
            StartedAt = DateTimeOffset.UtcNow,
            FinishedAt = DateTimeOffset.UtcNow,
        };
    };

    private static string Touch(string root, string relative)
    {
        var path = BatchViewLayout.Resolve(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        return relative;
    }

    private RecomputeRunner Runner(bool loadEnabled = true) => Runner(_engine, _root, loadEnabled);

    private RecomputeRunner Runner(RecomputeResult result) => Runner(new ScriptedRecomputeEngine().ThenReturn(result), _root);

    private RecomputeRunner Runner(IRecomputeEngine? engine, string? root = null, bool loadEnabled = true) =>
        RecomputeRunners.Create(engine, root ?? _root, _store, _lock, _loader, loadEnabled);
}
