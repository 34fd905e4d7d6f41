using Npgsql;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lambda.ServingLayer.Health;

/// <summary>Healthy when PostgreSQL (Hangfire's storage and the batch run log) answers <c>SELECT 1</c>.</summary>
public sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            var one = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return one is 1 ? HealthCheckResult.Healthy("PostgreSQL answers.") : HealthCheckResult.Unhealthy($"PostgreSQL answered SELECT 1 with {one}.");
        }
        catch (NpgsqlException ex)
        {
            return new HealthCheckResult(context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy, $"PostgreSQL is not reachable: {ex.Message}", ex);
        }
    }
}
