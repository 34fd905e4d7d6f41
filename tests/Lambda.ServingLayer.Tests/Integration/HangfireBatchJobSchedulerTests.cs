using System.Collections.Concurrent;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Lambda.ServingLayer.Admin;
using Lambda.ServingLayer.Configuration;
using Lambda.Shared.Batch;
using Lambda.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>
/// The real scheduler against PostgreSQL: the job is stored as <see cref="IRecomputeJob.RunAsync"/> on queue
/// <c>batch</c>, and a Hangfire server that knows an implementation (as the batch layer will) runs it with the arguments.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class HangfireBatchJobSchedulerTests : IAsyncLifetime
{
    private readonly string _schema = $"it_serving_hangfire_{Guid.NewGuid():N}";
    private readonly string _connectionString = StackEndpoints.Load().PostgresConnectionString;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_recompute_is_stored_on_the_batch_queue_and_runs_through_the_shared_interface()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = _connectionString }).Build();
        var scheduler = new HangfireBatchJobScheduler(
            configuration, Options.Create(new ServingOptions { HangfireSchema = _schema }), NullLogger<HangfireBatchJobScheduler>.Instance);

        var jobId = await scheduler.EnqueueRecomputeAsync(new RecomputeRequest { Mode = RecomputeMode.Backfill, From = new DateOnly(2026, 11, 1), To = new DateOnly(2026, 11, 3) }, cts.Token);

        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync(cts.Token);
            await using var command = new NpgsqlCommand(
                $"SELECT j.invocationdata, j.arguments, q.queue FROM \"{_schema}\".job j JOIN \"{_schema}\".jobqueue q ON q.jobid = j.id WHERE j.id = @id",
                connection);
            command.Parameters.AddWithValue("id", long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture));
            await using var reader = await command.ExecuteReaderAsync(cts.Token);
            Assert.True(await reader.ReadAsync(cts.Token), $"job {jobId} is not queued in {_schema}");
            Assert.Contains("Lambda.Shared.Batch.IRecomputeJob", reader.GetString(0), StringComparison.Ordinal);
            Assert.Contains("RunAsync", reader.GetString(0), StringComparison.Ordinal);
            Assert.Contains("2026-11-01", reader.GetString(1), StringComparison.Ordinal);
            Assert.Equal("batch", reader.GetString(2));
        }

        var options = new PostgreSqlStorageOptions { SchemaName = _schema, PrepareSchemaIfNecessary = false, QueuePollInterval = TimeSpan.FromMilliseconds(200) };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(_connectionString, options), options);
        var job = new RecordingRecomputeJob();
        using (new BackgroundJobServer(
            new BackgroundJobServerOptions { Queues = ["batch"], WorkerCount = 1, Activator = new SingleJobActivator(job), ServerName = $"it-{_schema}" },
            storage))
        {
            var run = await job.Runs.Task.WaitAsync(cts.Token);
            Assert.Equal(("backfill", "2026-11-01", "2026-11-03"), run);
            while (storage.GetMonitoringApi().JobDetails(jobId)?.History.FirstOrDefault()?.StateName != SucceededState.StateName)
            {
                await Task.Delay(100, cts.Token);
            }
        }
    }

    [Fact]
    public async Task An_unreachable_database_fails_the_enqueue_at_once_instead_of_after_hangfires_retries()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=lambda;Timeout=2",
        }).Build();
        var scheduler = new HangfireBatchJobScheduler(
            configuration, Options.Create(new ServingOptions { HangfireSchema = _schema }), NullLogger<HangfireBatchJobScheduler>.Instance);

        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => scheduler.EnqueueRecomputeAsync(new RecomputeRequest { Mode = RecomputeMode.Full }, CancellationToken.None));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => scheduler.EnqueueRecomputeAsync(new RecomputeRequest { Mode = RecomputeMode.Full }, CancellationToken.None));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), $"took {started.Elapsed}");
    }

    private sealed class RecordingRecomputeJob : IRecomputeJob
    {
        public TaskCompletionSource<(string, string?, string?)> Runs { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task RunAsync(string mode, string? from, string? to, CancellationToken cancellationToken)
        {
            Runs.TrySetResult((mode, from, to));
            return Task.CompletedTask;
        }
    }

    private sealed class SingleJobActivator(IRecomputeJob job) : JobActivator
    {
        public override object ActivateJob(Type jobType) =>
            jobType == typeof(IRecomputeJob) ? job : throw new InvalidOperationException($"unexpected job type {jobType}");
    }
}
