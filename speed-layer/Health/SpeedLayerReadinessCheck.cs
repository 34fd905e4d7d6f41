using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lambda.SpeedLayer.Health;

/// <summary>Ready when the speed tables exist, the consumer runs and nothing failed (ClickHouse itself has its own check).</summary>
internal sealed class SpeedLayerReadinessCheck(SpeedLayerStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["schemaReady"] = status.SchemaReady,
            ["consuming"] = status.Consuming,
            ["replaying"] = status.Replaying,
            ["assignedPartitions"] = status.AssignedPartitions,
        };
        var result = status switch
        {
            { Fault: { } fault } => HealthCheckResult.Unhealthy("the speed layer stopped after a failure", fault, data),
            { SchemaReady: false } => HealthCheckResult.Unhealthy("creating the speed tables", data: data),
            { Replaying: true } => HealthCheckResult.Unhealthy("replaying the master dataset (Kappa mode); the consumer starts when it is done", data: data),
            { Consuming: false } => HealthCheckResult.Unhealthy("the consumer is not running", data: data),
            _ => HealthCheckResult.Healthy("consuming", data),
        };
        return Task.FromResult(result);
    }
}
