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
public sealed partial class KafkaHealthCheck(KafkaClientConfigFactory configFactory, IOptions<ServingOptions> options, ILogger<KafkaHealthCheck> logger)
    : IHealthCheck, IDisposable
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
            // librdkafka's own log lines would otherwise go to stderr; the check's result already says what is wrong.
            return _client ??= new AdminClientBuilder(configFactory.CreateAdminClientConfig())
                .SetLogHandler((_, message) => LogKafka(logger, message.Level.ToString(), message.Message))
                .SetErrorHandler((_, error) => LogKafka(logger, error.Code.ToString(), error.Reason))
                .Build();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka health client {Level}: {Message}")]
    private static partial void LogKafka(ILogger logger, string level, string message);
}
