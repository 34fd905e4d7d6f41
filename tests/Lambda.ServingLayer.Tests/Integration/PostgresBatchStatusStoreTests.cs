using Lambda.ServingLayer.Admin;
using Lambda.Shared.Batch;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>The run log reader against PostgreSQL, in a schema of its own (reached through the search path).</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class PostgresBatchStatusStoreTests : IAsyncLifetime
{
    private readonly string _schema = $"it_serving_runs_{Guid.NewGuid():N}";
    private readonly string _connectionString = StackEndpoints.Load().PostgresConnectionString;

    public async Task InitializeAsync()
    {
        await ExecuteAsync($"CREATE SCHEMA \"{_schema}\"");
    }

    public Task DisposeAsync() => ExecuteAsync($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");

    [Fact]
    public async Task The_newest_runs_come_first_with_every_column()
    {
        // The table exactly as the batch layer creates it (the shared contract), then three runs.
        foreach (var statement in BatchRunsSchema.Statements)
        {
            await ExecuteAsync(statement);
        }

        await ExecuteAsync("""
            INSERT INTO batch_runs (id, requested_by, mode, range_from, range_to, state, stage, started_at, finished_at, rows_read, rows_written, host, error) VALUES
                ('00000000-0000-7000-8000-000000000001', 'schedule', 'incremental', NULL, NULL, 'succeeded', 'done', '2026-11-24T03:00:00Z', '2026-11-24T03:01:30Z', 1000, 40, 'h', NULL),
                ('00000000-0000-7000-8000-000000000002', 'api', 'backfill', '2026-11-01', '2026-11-03', 'failed', 'plan', '2026-11-25T03:00:00+02:00', NULL, 5, 0, 'h', 'disk full'),
                ('00000000-0000-7000-8000-000000000003', 'cli', 'full', NULL, NULL, 'running', 'chunks 3/8', '2026-11-25T04:00:00Z', NULL, 0, 0, 'h', NULL);
            """);
        await using var dataSource = DataSource();

        var runs = await new PostgresBatchStatusStore(dataSource, NullLogger<PostgresBatchStatusStore>.Instance).GetRecentRunsAsync(2, CancellationToken.None);

        Assert.Equal(
            [
                new BatchRun("00000000-0000-7000-8000-000000000003", "full", null, null, "running", "chunks 3/8", new DateTimeOffset(2026, 11, 25, 4, 0, 0, TimeSpan.Zero), null, 0, 0, null),
                new BatchRun("00000000-0000-7000-8000-000000000002", "backfill", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3), "failed", "plan", new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero), null, 5, 0, "disk full"),
            ],
            runs);
        Assert.All(runs, r => Assert.Equal(TimeSpan.Zero, r.StartedAt.Offset));
    }

    [Fact]
    public async Task Without_the_table_there_are_no_runs()
    {
        await using var dataSource = DataSource();

        var runs = await new PostgresBatchStatusStore(dataSource, NullLogger<PostgresBatchStatusStore>.Instance).GetRecentRunsAsync(10, CancellationToken.None);

        Assert.Empty(runs);
    }

    private NpgsqlDataSource DataSource() => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_connectionString) { SearchPath = _schema }.ConnectionString);

    private async Task ExecuteAsync(string sql)
    {
        // Through the test's own schema, like the store under test.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { SearchPath = _schema }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
