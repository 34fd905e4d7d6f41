using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lambda.Shared.ClickHouse;

/// <summary>Healthy when ClickHouse answers <c>SELECT 1</c> in the configured database.</summary>
public sealed class ClickHouseHealthCheck(IClickHouseClient client) : IHealthCheck
{
    private static readonly ClickHouseCallOptions Options = new() { Idempotent = false, Timeout = TimeSpan.FromSeconds(5) };

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var one = await client.QueryScalarAsync<int>("SELECT 1", Options, cancellationToken).ConfigureAwait(false);
            return one == 1
                ? HealthCheckResult.Healthy($"ClickHouse answers (database '{client.Database}').")
                : HealthCheckResult.Unhealthy($"ClickHouse answered SELECT 1 with {one}.");
        }
        catch (ClickHouseException ex)
        {
            return new HealthCheckResult(
                context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy,
                $"ClickHouse is not usable (database '{client.Database}'): {ex.Message}",
                ex);
        }
    }
}
