using Lambda.Testing;
using Npgsql;

namespace Lambda.BatchLayer.Tests.Status;

/// <summary>
/// A database of its own on the stack's PostgreSQL (LAMBDA_POSTGRES) for one test, dropped
/// afterwards, so batch_runs and Hangfire's schema never mix between tests.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncLifetime
{
    private readonly string _adminConnectionString = StackEndpoints.Load().PostgresConnectionString;

    public string Name { get; } = "batch_test_" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString => new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = Name, Pooling = true }.ConnectionString;

    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a scalar query in this database.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
