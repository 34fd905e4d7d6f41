using System.Diagnostics;
using Confluent.Kafka;
using Lambda.ServingLayer.Configuration;
using Lambda.Shared.Kafka;
using Lambda.Shared.Telemetry;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Ingest;

/// <summary>
/// Publishes ingested events with one shared idempotent producer (acks=all), awaiting every delivery report.
/// The producer is created on first use, so the service starts (and answers health checks) while Kafka is away.
/// </summary>
public sealed partial class KafkaEventPublisher : IEventPublisher, IDisposable
{
    private readonly Lazy<IProducer<byte[]?, byte[]>> _producer;
    private readonly ILogger<KafkaEventPublisher> _logger;
    private readonly TimeSpan _flushTimeout;

    /// <summary>Creates the publisher.</summary>
    public KafkaEventPublisher(KafkaClientConfigFactory configFactory, IOptions<ServingOptions> options, ILogger<KafkaEventPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(configFactory);
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        var timeout = options.Value.IngestDeliveryTimeout;
        _flushTimeout = timeout;
        _producer = new Lazy<IProducer<byte[]?, byte[]>>(() =>
        {
            var config = configFactory.CreateProducerConfig();
            config.Acks = Acks.All;
            config.EnableIdempotence = true;
            config.LingerMs ??= 5;
            config.MessageTimeoutMs = (int)timeout.TotalMilliseconds;
            return new ProducerBuilder<byte[]?, byte[]>(config)
                .SetErrorHandler((_, error) => LogKafkaError(_logger, error.Code.ToString(), error.Reason))
                .SetLogHandler((_, message) => LogKafkaMessage(_logger, message.Level.ToString(), message.Message))
                .Build();
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc/>
    public async Task PublishAsync(string topic, IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        var producer = _producer.Value;
        var activity = Activity.Current;
        var deliveries = new Task<DeliveryResult<byte[]?, byte[]>>[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            // Not the request's token: once handed to librdkafka a message goes out anyway, and its report must be awaited.
            deliveries[i] = producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = events[i].Key, Value = events[i].Value, Headers = TraceHeaders(activity) }, CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(deliveries).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Inspected per delivery below.
            LogDeliveryFailed(_logger, topic, ex.Message);
        }

        var acknowledged = 0;
        string? reason = null;
        Exception? first = null;
        foreach (var delivery in deliveries)
        {
            if (delivery.IsCompletedSuccessfully && delivery.Result.Status == PersistenceStatus.Persisted)
            {
                acknowledged++;
            }
            else if (reason is null)
            {
                first = delivery.Exception?.InnerException;
                reason = first switch
                {
                    ProduceException<byte[]?, byte[]> produce => $"{produce.Error.Code}: {produce.Error.Reason}",
                    null => $"delivery status {delivery.Result.Status}",
                    _ => first.Message,
                };
            }
        }

        if (acknowledged != events.Count)
        {
            throw new EventPublishException(topic, acknowledged, events.Count - acknowledged, reason ?? "unknown", first);
        }
    }

    private static Headers? TraceHeaders(Activity? activity)
    {
        if (activity is null)
        {
            return null;
        }

        var headers = new Headers();
        KafkaTraceContext.Inject(headers, activity);
        return headers;
    }

    /// <summary>Delivers what is still queued (bounded by the delivery timeout) and closes the producer.</summary>
    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Flush(_flushTimeout);
            _producer.Value.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer error {Code}: {Reason}")]
    private static partial void LogKafkaError(ILogger logger, string code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Level}: {Message}")]
    private static partial void LogKafkaMessage(ILogger logger, string level, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to {Topic} failed: {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, string topic, string reason);
}
