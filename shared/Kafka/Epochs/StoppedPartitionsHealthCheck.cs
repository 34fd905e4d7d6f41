using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lambda.Shared.Kafka.Epochs;

/// <summary>Not ready while a partition is stopped because the broker's log is behind what is stored (see <see cref="EpochRules"/>).</summary>
public sealed class StoppedPartitionsHealthCheck(OffsetEpochStatus status) : IHealthCheck
{
    /// <summary>The name the services register it under.</summary>
    public const string Name = "kafka-offsets";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stopped = status.Stopped;
        return Task.FromResult(stopped.Count == 0
            ? HealthCheckResult.Healthy("every assigned partition is read")
            : HealthCheckResult.Unhealthy(
                string.Join(" | ", stopped.Select(s => s.Reason)),
                data: stopped.ToDictionary(s => $"{s.Topic}[{s.Partition}]", s => (object)s.Since)));
    }
}
