using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Status;
using Lambda.Shared.Batch;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.BatchLayer.Tests.Status;

/// <summary>The run history in a real PostgreSQL.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class PostgresBatchRunStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);
    private readonly PostgresTestDatabase _postgres = new();
    private BatchDatabase _database = null!;
    private PostgresBatchRunStore _store = null!;

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _database = new BatchDatabase(_postgres.ConnectionString);
        _store = new PostgresBatchRunStore(_database, NullLogger<PostgresBatchRunStore>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Schema_creation_is_idempotent_and_safe_from_concurrent_processes()
    {
        var stores = Enumerable.Range(0, 4)
            .Select(_ => new PostgresBatchRunStore(new BatchDatabase(_postgres.ConnectionString), NullLogger<PostgresBatchRunStore>.Instance))
            .ToArray();
        await Task.WhenAll(stores.Select(s => s.EnsureSchemaAsync(CancellationToken.None)));
        await stores[0].EnsureSchemaAsync(CancellationToken.None);
        await new PostgresBatchRunStore(new BatchDatabase(_postgres.ConnectionString), NullLogger<PostgresBatchRunStore>.Instance).EnsureSchemaAsync(CancellationToken.None);

        Assert.Equal(2L, await _postgres.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('batch_runs', 'batch_run_days')"));
    }

    [Fact]
    public async Task A_run_is_recorded_through_its_states_with_its_result()
    {
        var id = Guid.CreateVersion7(T0);
        var request = new RecomputeRequest { Mode = RecomputeMode.Backfill, From = new DateOnly(2026, 11, 1), To = new DateOnly(2026, 11, 3) };
        await _store.StartAsync(new BatchRunStart { Id = id, Request = request, RequestedBy = "api", JobId = "42", Attempt = 2, Host = "h/1", StartedAt = T0 }, CancellationToken.None);

        var waiting = await _store.GetAsync(id, CancellationToken.None);
        Assert.NotNull(waiting);
        Assert.Equal(BatchRunState.Waiting, waiting.State);
        Assert.Equal(RecomputeMode.Backfill, waiting.Mode);
        Assert.Equal(new DateOnly(2026, 11, 1), waiting.From);
        Assert.Equal(new DateOnly(2026, 11, 3), waiting.To);
        Assert.Equal("42", waiting.JobId);
        Assert.Equal(2, waiting.Attempt);
        Assert.Equal(T0, waiting.StartedAt);
        Assert.Null(waiting.FinishedAt);

        await _store.UpdateProgressAsync(id, BatchRunState.Running, "aggregate", 1234, CancellationToken.None);
        var result = Result("engine-1", ("revenue_by_country", new DateOnly(2026, 11, 1)), ("revenue_by_country", new DateOnly(2026, 11, 2)));
        await _store.RecordResultAsync(id, result, Days(id, result, T0), CancellationToken.None);
        await _store.FinishAsync(id, BatchRunState.Succeeded, 2, null, T0.AddMinutes(3), CancellationToken.None);

        var done = await _store.GetAsync(id, CancellationToken.None);
        Assert.NotNull(done);
        Assert.Equal(BatchRunState.Succeeded, done.State);
        Assert.Equal("aggregate", done.Stage);
        Assert.Equal("engine-1", done.EngineRunId);
        Assert.Equal(5000, done.RowsRead);
        Assert.Equal(60, done.RowsWritten);
        Assert.Equal(2, done.DaysRecomputed);
        Assert.Equal(2, done.DaysLoaded);
        Assert.Equal(T0.AddMinutes(3), done.FinishedAt);
        Assert.Null(done.Error);
        Assert.Equal("succeeded", await _postgres.ScalarAsync<string>($"SELECT state FROM batch_runs WHERE id = '{id}'"));
    }

    [Fact]
    public async Task The_days_a_run_published_are_kept_as_its_history_and_recording_them_again_replaces_them()
    {
        var first = await RunAsync(T0, ("v", new DateOnly(2026, 11, 1)), ("v", new DateOnly(2026, 11, 2)));
        var second = await RunAsync(T0.AddHours(1), ("v", new DateOnly(2026, 11, 2)));
        var retried = Result(first.ToString(), ("v", new DateOnly(2026, 11, 2)));
        await _store.RecordResultAsync(first, retried, Days(first, retried, T0.AddMinutes(5)), CancellationToken.None);

        Assert.Equal(2L, await _postgres.ScalarAsync<long>($"SELECT count(*) FROM batch_run_days WHERE run_id = '{first}'"));
        Assert.Equal(1L, await _postgres.ScalarAsync<long>($"SELECT count(*) FROM batch_run_days WHERE run_id = '{second}'"));
        Assert.Equal(
            "views/v/run=1/day=2026-11-02.parquet",
            await _postgres.ScalarAsync<string>($"SELECT file FROM batch_run_days WHERE run_id = '{second}' AND view_name = 'v' AND day = '2026-11-02'"));
        Assert.Equal(
            T0.AddMinutes(5).UtcDateTime,
            await _postgres.ScalarAsync<DateTime>($"SELECT published_at FROM batch_run_days WHERE run_id = '{first}' AND day = '2026-11-02'"));
    }

    [Fact]
    public async Task Recent_runs_come_newest_first_and_a_job_lists_its_attempts()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var id = Guid.CreateVersion7(T0.AddMinutes(i));
            ids.Add(id);
            await _store.StartAsync(
                new BatchRunStart { Id = id, Request = new RecomputeRequest(), RequestedBy = "schedule", JobId = "7", Attempt = i + 1, Host = "h", StartedAt = T0.AddMinutes(i) },
                CancellationToken.None);
            await _store.FinishAsync(id, i < 2 ? BatchRunState.Failed : BatchRunState.NothingToDo, 0, i < 2 ? "boom" : null, T0.AddMinutes(i), CancellationToken.None);
        }

        var recent = await _store.ListRecentAsync(2, CancellationToken.None);
        Assert.Equal([ids[2], ids[1]], recent.Select(r => r.Id));
        var attempts = await _store.ListByJobAsync("7", CancellationToken.None);
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        Assert.Equal([BatchRunState.Failed, BatchRunState.Failed, BatchRunState.NothingToDo], attempts.Select(a => a.State));
        Assert.Equal("boom", attempts[0].Error);
    }

    [Fact]
    public async Task A_run_cannot_finish_in_an_active_state()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            _store.FinishAsync(Guid.NewGuid(), BatchRunState.Running, 0, null, T0, CancellationToken.None));
        Assert.Equal("state", error.ParamName);
    }

    private static RecomputeResult Result(string runId, params (string View, DateOnly Day)[] days) => new()
    {
        RunId = runId,
        NothingToDo = days.Length == 0,
        Days = days.Select(d => new RecomputedDay(d.View, d.Day, 30, $"views/{d.View}/run=1/day={d.Day:yyyy-MM-dd}.parquet")).ToArray(),
        RowsRead = 5000,
        RowsWritten = 30 * days.Length,
        StartedAt = T0,
        FinishedAt = T0.AddMinutes(1),
    };

    private static List<BatchRunDay> Days(Guid id, RecomputeResult result, DateTimeOffset at) =>
        result.Days.Select(d => new BatchRunDay(id, d.View, "hash", d.Day, d.File, d.Rows, at)).ToList();

    private async Task<Guid> RunAsync(DateTimeOffset at, params (string View, DateOnly Day)[] days)
    {
        var id = Guid.CreateVersion7(at);
        await _store.StartAsync(new BatchRunStart { Id = id, Request = new RecomputeRequest(), RequestedBy = "t", Host = "h", StartedAt = at }, CancellationToken.None);
        var result = Result(id.ToString(), days);
        await _store.RecordResultAsync(id, result, Days(id, result, at), CancellationToken.None);
        return id;
    }
}
