using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lambda.SpeedLayer.Health;

/// <summary>Alive unless the speed layer stopped after a failure (it then also shuts the process down).</summary>
internal sealed class SpeedLayerLivenessCheck(SpeedLayerStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(status.Fault is { } fault
            ? HealthCheckResult.Unhealthy("the speed layer stopped after a failure", fault)
            : HealthCheckResult.Healthy());
}
