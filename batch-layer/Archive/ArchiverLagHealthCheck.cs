using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lambda.BatchLayer.Archive;

/// <summary>
/// The batch layer's health as to the archiver's lag: degraded while some source's archiver is further behind than
/// <see cref="ArchiverOptions.MaxLag"/> on a partition (the serving layer then refuses that source's ingest), healthy otherwise.
/// </summary>
public sealed class ArchiverLagHealthCheck(ArchiverLagState state) : IHealthCheck
{
    /// <summary>The check's name in the health report.</summary>
    public const string Name = "archiver_lag";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var current = state.Current;
        var result = current switch
        {
            null => HealthCheckResult.Healthy("the archiver's lag has not been assessed yet"),
            { AnyBehind: true } => HealthCheckResult.Degraded(current.Describe()),
            _ => HealthCheckResult.Healthy(current.Describe()),
        };
        return Task.FromResult(result);
    }
}
