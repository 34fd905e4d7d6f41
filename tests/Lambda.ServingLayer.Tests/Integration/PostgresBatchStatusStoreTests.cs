using Lambda.ServingLayer.Admin;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>The run log reader against PostgreSQL, in a schema of its own (reached through the search path).</summary>
[Trait("Category", "Integration")]
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
        await ExecuteAsync($"""
            CREATE TABLE "{_schema}".batch_runs (
                run_id text PRIMARY KEY, mode text NOT NULL, range_from date NULL, range_to date NULL, state text NOT NULL,
                started_at timestamptz NOT NULL, finished_at timestamptz NULL, rows_read bigint NOT NULL, rows_written bigint NOT NULL, error text NULL);
            INSERT INTO "{_schema}".batch_runs VALUES
                ('r1', 'incremental', NULL, NULL, 'succeeded', '2026-11-24T03:00:00Z', '2026-11-24T03:01:30Z', 1000, 40, NULL),
                ('r2', 'backfill', '2026-11-01', '2026-11-03', 'failed', '2026-11-25T03:00:00+02:00', NULL, 5, 0, 'disk full'),
                ('r3', 'full', NULL, NULL, 'running', '2026-11-25T04:00:00Z', NULL, 0, 0, NULL);
            """);
        await using var dataSource = DataSource();

        var runs = await new PostgresBatchStatusStore(dataSource, NullLogger<PostgresBatchStatusStore>.Instance).GetRecentRunsAsync(2, CancellationToken.None);

        Assert.Equal(
            [
                new BatchRun("r3", "full", null, null, "running", new DateTimeOffset(2026, 11, 25, 4, 0, 0, TimeSpan.Zero), null, 0, 0, null),
                new BatchRun("r2", "backfill", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3), "failed", new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero), null, 5, 0, "disk full"),
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
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
