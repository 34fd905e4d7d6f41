using Confluent.Kafka;
using Lambda.ServingLayer.Configuration;
using Lambda.Shared.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Health;

/// <summary>
/// Healthy when a Kafka broker answers a metadata request. Written here because no Kafka health check package is
/// available from the package mirror; it reuses one admin client (created on first check) rather than opening
/// a client per probe.
/// </summary>
public sealed class KafkaHealthCheck(KafkaClientConfigFactory configFactory, IOptions<ServingOptions> options) : IHealthCheck, IDisposable
{
    private readonly Lock _gate = new();
    private IAdminClient? _client;

    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var timeout = options.Value.ReadinessTimeout;
        try
        {
            var metadata = await Task.Run(() => Client().GetMetadata(timeout), cancellationToken).ConfigureAwait(false);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"Kafka answers: {metadata.Brokers.Count} broker(s), {metadata.Topics.Count} topic(s).")
                : HealthCheckResult.Unhealthy("Kafka answered with no brokers.");
        }
        catch (Exception ex) when (ex is KafkaException or InvalidOperationException)
        {
            return new HealthCheckResult(context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy, $"Kafka is not reachable: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _client?.Dispose();
            _client = null;
        }
    }

    private IAdminClient Client()
    {
        lock (_gate)
        {
            return _client ??= new AdminClientBuilder(configFactory.CreateAdminClientConfig()).Build();
        }
    }
}
