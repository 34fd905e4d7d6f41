using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Lambda.BatchLayer.Tests.Loading;
using Lambda.Shared.Batch;
using Lambda.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// Scheduling through real Hangfire servers on a real PostgreSQL, loading into a real ClickHouse,
/// with a test engine that writes real batch-view files.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Collection(HangfireCollection.Name)]
public sealed class HangfireSchedulingTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly DateOnly Day = new(2026, 11, 24);

    private readonly BatchTestServers _servers = new("batch-hangfire-");

    public Task InitializeAsync() => _servers.InitializeAsync();

    public Task DisposeAsync() => _servers.DisposeAsync();

    [Fact]
    public async Task The_recurring_job_is_registered_with_the_configured_cron_and_fires_on_schedule()
    {
        var engine = new ScriptedRecomputeEngine().ThenReturn(ScriptedRecomputeEngine.NothingToDo());
        await using var host = await BatchTestHost.StartAsync(_servers.Configuration(), engine, new()
        {
            ["Batch:Schedule:RecurringJobEnabled"] = "true",
            ["Batch:Schedule:Cron"] = "*/2 * * * * *",
        });

        var recurring = Assert.Single(host.Storage.GetConnection().GetRecurringJobs(), j => j.Id == RecomputeJob.RecurringJobId);
        Assert.Equal(RecomputeJob.RecurringJobId, recurring.Id);
        Assert.Equal("*/2 * * * * *", recurring.Cron);
        Assert.Equal(RecomputeJob.Queue, recurring.Job.Queue);
        Assert.Equal(typeof(RecomputeJob), recurring.Job.Type);

        var run = await WaitForRunAsync(host.Store, r => r.RequestedBy == RecomputeJob.ScheduleRequester && r.State.IsFinal());
        Assert.Equal(BatchRunState.NothingToDo, run.State);
        Assert.Equal(RecomputeMode.Incremental, run.Mode);
        Assert.NotNull(run.JobId);
        var job = await host.WaitForStateAsync(run.JobId, SucceededState.StateName, Timeout);
        Assert.Equal(recurring.Id, job.Properties["RecurringJobId"].Trim('"'));
    }

    [Fact]
    public async Task By_default_the_recurring_job_runs_at_02_00_utc()
    {
        var engine = new ScriptedRecomputeEngine().ThenReturn(ScriptedRecomputeEngine.NothingToDo());
        await using var host = await BatchTestHost.StartAsync(_servers.Configuration(), engine, new()
        {
            ["Batch:Schedule:RecurringJobEnabled"] = "true",
            ["Batch:Schedule:ServerEnabled"] = "false",
        });

        var recurring = Assert.Single(host.Storage.GetConnection().GetRecurringJobs(), j => j.Id == RecomputeJob.RecurringJobId);
        Assert.Equal("0 2 * * *", recurring.Cron);
        Assert.Equal("UTC", recurring.TimeZoneId);
        Assert.NotNull(recurring.NextExecution);
        Assert.Equal(new TimeSpan(2, 0, 0), recurring.NextExecution.Value.TimeOfDay);
        Assert.True(recurring.NextExecution.Value - DateTime.UtcNow <= TimeSpan.FromDays(1));
        var compaction = Assert.Single(host.Storage.GetConnection().GetRecurringJobs(), j => j.Id == Lambda.BatchLayer.Compaction.CompactionJob.RecurringJobId);
        Assert.Equal("8-59/15 * * * *", compaction.Cron);
        Assert.Equal(RecomputeJob.Queue, compaction.Job.Queue);
    }

    [Fact]
    public async Task A_failing_recompute_is_retried_automatically_and_its_second_attempt_loads_clickhouse()
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = TestViews.PaidOrders(Day, 400);
        var expectedRows = TestViews.Aggregate(view, events).Count;
        var engine = new ScriptedRecomputeEngine()
            .ThenFail("the master dataset is not mounted")
            .Then(PublishingSteps.Publish(_servers.Root, view, new Dictionary<DateOnly, List<string>> { [Day] = events }));
        await using var host = await BatchTestHost.StartAsync(_servers.Configuration(), engine, new() { ["Batch:Schedule:RetryAttempts"] = "1" });

        var jobId = host.App.Services.GetRequiredService<RecomputeJobClient>().Enqueue(new RecomputeRequest(), "test");
        var job = await host.WaitForStateAsync(jobId, SucceededState.StateName, Timeout);

        Assert.Equal(2, engine.Calls);
        Assert.Equal("1", job.Properties["RetryCount"]);
        Assert.Contains(job.History, h => h.StateName == ScheduledState.StateName && h.Reason.StartsWith("Retry attempt 1 of 1", StringComparison.Ordinal));
        var attempts = await host.Store.ListByJobAsync(jobId, CancellationToken.None);
        Assert.Equal([(1, BatchRunState.Failed), (2, BatchRunState.Succeeded)], attempts.Select(a => (a.Attempt, a.State)));
        Assert.Equal("IOException: the master dataset is not mounted", attempts[0].Error);
        Assert.Equal((1, 1), (attempts[1].DaysRecomputed, attempts[1].DaysLoaded));
        Assert.Equal((ulong)expectedRows, await _servers.ClickHouse.CountAsync($"SELECT count() FROM {Loading.BatchTableName(view)}"));
        Assert.Contains("succeeded", host.Job(jobId).History[0].Data["Result"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_service_enqueues_a_backfill_by_type_name_without_referencing_the_batch_layer()
    {
        var engine = new ScriptedRecomputeEngine().ThenReturn(ScriptedRecomputeEngine.NothingToDo());
        await using var host = await BatchTestHost.StartAsync(_servers.Configuration(), engine);

        var jobId = EnqueueAsAnotherService(host.Storage, "backfill", "2026-11-01", "2026-11-03");
        await host.WaitForStateAsync(jobId, SucceededState.StateName, Timeout);

        var request = Assert.Single(engine.Requests);
        Assert.Equal((RecomputeMode.Backfill, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3)), (request.Mode, request.From!.Value, request.To!.Value));
        var run = Assert.Single(await host.Store.ListByJobAsync(jobId, CancellationToken.None));
        Assert.Equal(("api", BatchRunState.NothingToDo), (run.RequestedBy, run.State));
        Assert.Equal(RecomputeJob.Queue, host.Job(jobId).Job.Queue);
    }

    [Fact]
    public async Task Invalid_job_arguments_fail_at_once_without_retries()
    {
        var engine = new ScriptedRecomputeEngine().ThenReturn(ScriptedRecomputeEngine.NothingToDo());
        await using var host = await BatchTestHost.StartAsync(_servers.Configuration(), engine, new() { ["Batch:Schedule:RetryAttempts"] = "3" });

        var jobId = EnqueueAsAnotherService(host.Storage, "backfill", "2026-11-05", "2026-11-01");
        var job = await host.WaitForStateAsync(jobId, FailedState.StateName, Timeout);

        Assert.Equal(0, engine.Calls);
        Assert.DoesNotContain(job.History, h => h.StateName == ScheduledState.StateName);
        Assert.Contains("to (2026-11-01) is before from (2026-11-05)", job.History[0].Data["ExceptionMessage"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_instances_share_the_queue_and_never_run_two_recomputes_at_once()
    {
        var engine = new ScriptedRecomputeEngine().Then(async (_, _, ct) =>
        {
            await Task.Delay(300, ct);
            return ScriptedRecomputeEngine.NothingToDo();
        });
        var config = _servers.Configuration();
        await using var first = await BatchTestHost.StartAsync(new(config), engine, new() { ["Batch:Schedule:WorkerCount"] = "2" });
        await using var second = await BatchTestHost.StartAsync(new(config), engine, new() { ["Batch:Schedule:WorkerCount"] = "2" });

        var client = first.App.Services.GetRequiredService<RecomputeJobClient>();
        var jobs = Enumerable.Range(0, 6).Select(_ => client.Enqueue(new RecomputeRequest(), "test")).ToList();
        foreach (var job in jobs)
        {
            await first.WaitForStateAsync(job, SucceededState.StateName, Timeout);
        }

        Assert.Equal(6, engine.Calls);
        Assert.Equal(1, engine.MaxConcurrent);
        var servers = jobs.Select(j => first.Job(j).History.Single(h => h.StateName == ProcessingState.StateName).Data["ServerId"]).ToHashSet();
        Assert.True(servers.Count >= 2, $"all jobs ran on {string.Join(", ", servers)}");
        var runs = await first.Store.ListRecentAsync(10, CancellationToken.None);
        Assert.Equal(6, runs.Count(r => r.State == BatchRunState.NothingToDo));
    }

    [Fact]
    public async Task The_dashboard_shows_a_running_recompute_with_its_progress()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = new ScriptedRecomputeEngine().Then(async (_, progress, ct) =>
        {
            progress!.Report(new RecomputeProgress("aggregate", 3, 12, 123_456));
            reported.TrySetResult();
            await release.Task.WaitAsync(ct);
            return ScriptedRecomputeEngine.NothingToDo();
        });
        await using var host = await BatchTestHost.StartAsync(_servers.Configuration(), engine);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", BatchTestServers.DashboardKey);

        var jobId = host.App.Services.GetRequiredService<RecomputeJobClient>().Enqueue(new RecomputeRequest { Mode = RecomputeMode.Full }, "test");
        await reported.Task.WaitAsync(Timeout);
        var page = await WaitForPageAsync(http, $"/hangfire/jobs/details/{jobId}", "Stage <strong>aggregate</strong>");
        release.SetResult();

        Assert.Contains("3 of 12, 123,456 rows read", page, StringComparison.Ordinal);
        Assert.Contains("style=\"width: 25%;\"", page, StringComparison.Ordinal);
        Assert.Contains("Batch recompute: full", page, StringComparison.Ordinal);
        await host.WaitForStateAsync(jobId, SucceededState.StateName, Timeout);
        Assert.Contains("Stage <strong>done</strong>", await http.GetStringAsync($"/hangfire/jobs/details/{jobId}"), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/hangfire/recurring")).StatusCode);
    }

    private static string EnqueueAsAnotherService(JobStorage storage, string mode, string from, string to) =>
        // What the serving layer does: it names only the shared contract, the batch layer's activator resolves it.
        new BackgroundJobClient(storage).Enqueue<Lambda.Shared.Batch.IRecomputeJob>(
            "batch", job => job.RunAsync(mode, from, to, CancellationToken.None));

    private static async Task<string> WaitForPageAsync(HttpClient http, string path, string expected)
    {
        using var cts = new CancellationTokenSource(Timeout);
        string page;
        while (!(page = await http.GetStringAsync(path, cts.Token)).Contains(expected, StringComparison.Ordinal))
        {
            await Task.Delay(200, cts.Token);
        }

        return page;
    }

    internal static async Task<BatchRun> WaitForRunAsync(IBatchRunStore store, Func<BatchRun, bool> predicate)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var match = (await store.ListRecentAsync(20, cts.Token)).FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            await Task.Delay(200, cts.Token);
        }
    }

    private static class Loading
    {
        public static string BatchTableName(Shared.Catalog.ViewDefinition view) => BatchLayer.Loading.BatchTable.TableName(view);
    }
}
