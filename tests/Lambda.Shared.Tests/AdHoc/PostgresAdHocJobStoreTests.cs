using Lambda.Shared.AdHoc;
using Lambda.Testing;
using Npgsql;

namespace Lambda.Shared.Tests.AdHoc;

/// <summary>The ad hoc job store against PostgreSQL, in a schema of its own (the connection's search path).</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class PostgresAdHocJobStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 18, 0, 0, TimeSpan.Zero);
    private readonly string _schema = $"it_adhoc_{Guid.NewGuid():N}";
    private NpgsqlDataSource _admin = null!;
    private NpgsqlDataSource _dataSource = null!;

    public async Task InitializeAsync()
    {
        var connectionString = StackEndpoints.Load().PostgresConnectionString;
        _admin = NpgsqlDataSource.Create(connectionString);
        await using (var create = _admin.CreateCommand($"CREATE SCHEMA \"{_schema}\""))
        {
            await create.ExecuteNonQueryAsync();
        }

        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = _schema }.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await using (var drop = _admin.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await _admin.DisposeAsync();
    }

    [Fact]
    public async Task A_job_goes_from_queued_to_succeeded_with_everything_recorded()
    {
        IAdHocJobRequests requests = new PostgresAdHocJobStore(_dataSource);
        IAdHocJobRuns runs = new PostgresAdHocJobStore(_dataSource);
        var id = Guid.NewGuid();

        var submitted = await requests.SubmitAsync(id, "SELECT 1", AdHocJobFormat.Csv, T0, CancellationToken.None);
        await requests.SetHangfireJobAsync(id, "42", CancellationToken.None);
        Assert.Equal(AdHocJobState.Queued, submitted.State);
        Assert.Equal(T0, submitted.SubmittedAt);

        var started = await runs.StartAsync(id, """{"master":{"orders":{"files":2}}}""", "host-a", T0.AddSeconds(1), CancellationToken.None);
        Assert.NotNull(started);
        Assert.Equal(AdHocJobState.Running, started.State);
        Assert.Equal(1, started.Attempts);
        Assert.Equal(AdHocJobState.Running, await runs.ReportProgressAsync(id, 40, CancellationToken.None));
        Assert.Equal(AdHocJobState.Running, await runs.ReportProgressAsync(id, 30, CancellationToken.None));
        Assert.Equal(40, (await requests.GetAsync(id, CancellationToken.None))!.Progress);

        Assert.True(await runs.SucceedAsync(id, AdHocJobLayout.RelativeResultPath(id, AdHocJobFormat.Csv), 7, 123, T0.AddSeconds(2), CancellationToken.None));

        var job = await requests.GetAsync(id, CancellationToken.None);
        Assert.NotNull(job);
        Assert.Equal(
            submitted with
            {
                State = AdHocJobState.Succeeded, Progress = 100, StartedAt = T0.AddSeconds(1), FinishedAt = T0.AddSeconds(2),
                ResultPath = $"jobs/{id:D}/result.csv", Rows = 7, Bytes = 123, Snapshot = """{"master": {"orders": {"files": 2}}}""", SnapshotAt = T0.AddSeconds(1),
                HangfireJobId = "42", Host = "host-a", Attempts = 1,
            },
            job);
        Assert.Equal(AdHocJobState.Succeeded, (await requests.CancelAsync(id, T0.AddSeconds(3), CancellationToken.None))!.State);
    }

    [Fact]
    public async Task A_cancel_while_running_wins_over_the_workers_end()
    {
        var store = new PostgresAdHocJobStore(_dataSource);
        var id = Guid.NewGuid();
        await store.SubmitAsync(id, "SELECT 1", AdHocJobFormat.Parquet, T0, CancellationToken.None);
        await store.StartAsync(id, "{}", "host-a", T0, CancellationToken.None);

        var cancelled = await store.CancelAsync(id, T0.AddSeconds(5), CancellationToken.None);

        Assert.Equal(AdHocJobState.Cancelled, cancelled!.State);
        Assert.Equal(T0.AddSeconds(5), cancelled.FinishedAt);
        Assert.Equal(AdHocJobState.Cancelled, await store.ReportProgressAsync(id, 50, CancellationToken.None));
        Assert.False(await store.SucceedAsync(id, "jobs/x/result.parquet", 1, 1, T0.AddSeconds(6), CancellationToken.None));
        Assert.False(await store.FailAsync(id, "late", T0.AddSeconds(6), CancellationToken.None));
        Assert.Null(await store.StartAsync(id, "{}", "host-b", T0.AddSeconds(7), CancellationToken.None));
        var job = await store.GetAsync(id, CancellationToken.None);
        Assert.Equal(AdHocJobState.Cancelled, job!.State);
        Assert.Null(job.ResultPath);
        Assert.Equal(0, job.Progress);
    }

    [Fact]
    public async Task A_running_job_whose_worker_died_can_be_started_again_and_failures_are_recorded()
    {
        var store = new PostgresAdHocJobStore(_dataSource);
        var id = Guid.NewGuid();
        await store.SubmitAsync(id, "SELECT 1", AdHocJobFormat.Parquet, T0, CancellationToken.None);
        await store.StartAsync(id, "{}", "host-a", T0, CancellationToken.None);

        var again = await store.StartAsync(id, "{}", "host-b", T0.AddMinutes(1), CancellationToken.None);
        Assert.Equal(2, again!.Attempts);
        Assert.Equal("host-b", again.Host);

        Assert.True(await store.FailAsync(id, "refused: " + new string('x', 5000), T0.AddMinutes(2), CancellationToken.None));
        var job = await store.GetAsync(id, CancellationToken.None);
        Assert.Equal(AdHocJobState.Failed, job!.State);
        Assert.Equal(PostgresAdHocJobStore.MaxErrorLength, job.Error!.Length);
        Assert.Equal(AdHocJobState.Failed, (await store.CancelAsync(id, T0.AddMinutes(3), CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Unknown_jobs_are_null_and_an_unqueued_job_is_abandoned()
    {
        var store = new PostgresAdHocJobStore(_dataSource);
        Assert.Null(await store.GetAsync(Guid.NewGuid(), CancellationToken.None));
        Assert.Null(await store.CancelAsync(Guid.NewGuid(), T0, CancellationToken.None));
        Assert.Null(await store.ReportProgressAsync(Guid.NewGuid(), 1, CancellationToken.None));

        var id = Guid.NewGuid();
        await store.SubmitAsync(id, "SELECT 1", AdHocJobFormat.Parquet, T0, CancellationToken.None);
        await store.AbandonAsync(id, "the job could not be enqueued", T0.AddSeconds(1), CancellationToken.None);
        var job = await store.GetAsync(id, CancellationToken.None);
        Assert.Equal(AdHocJobState.Failed, job!.State);
        Assert.Null(await store.StartAsync(id, "{}", "host-a", T0.AddSeconds(2), CancellationToken.None));

        // A worker may fail a job it could not even start (its snapshot could not be taken).
        var unopened = Guid.NewGuid();
        await store.SubmitAsync(unopened, "SELECT 1", AdHocJobFormat.Csv, T0, CancellationToken.None);
        Assert.True(await store.FailAsync(unopened, "the job failed on the batch worker", T0.AddSeconds(3), CancellationToken.None));
        Assert.Equal(AdHocJobState.Failed, (await store.GetAsync(unopened, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Two_stores_starting_together_create_the_table_once()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgresAdHocJobStore(_dataSource)).ToArray();

        await Task.WhenAll(stores.Select(s => s.EnsureSchemaAsync(CancellationToken.None)));

        await using var count = _dataSource.CreateCommand($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{_schema}' AND table_name = 'adhoc_jobs'");
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }
}
