using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lambda.BatchLayer.Archive;

/// <summary>Not ready once the archiver stopped after a failure (the host stops with it, but not at once).</summary>
internal sealed class ArchiverReadinessCheck(ArchiverService archiver) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(archiver.Failure is { } failure
            ? HealthCheckResult.Unhealthy("the archiver stopped after a failure", failure)
            : HealthCheckResult.Healthy("archiving"));
}
