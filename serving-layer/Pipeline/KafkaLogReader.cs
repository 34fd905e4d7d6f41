using Confluent.Kafka;
using Lambda.Shared.Kafka;
using Lambda.Shared.Kafka.Epochs;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>
/// <see cref="IKafkaLogReader"/> with one admin client (the topic's partitions) and one consumer that never subscribes
/// (each partition's watermarks), both created on first use. After a broker error both are dropped, so the next read
/// connects again with the current bootstrap list (a restarted development broker may listen on a new port).
/// </summary>
public sealed partial class KafkaLogReader(KafkaClientConfigFactory configFactory, IOptions<PipelineHealthOptions> options, ILogger<KafkaLogReader> logger)
    : IKafkaLogReader, IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _timeout = options.Value.ReadTimeout;
    private IAdminClient? _admin;
    private IConsumer<Ignore, Ignore>? _consumer;

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<int, PartitionLog>> ReadAsync(string topic, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);

        // librdkafka's calls block: off the caller's thread.
        return Task.Run(() => Read(topic), cancellationToken).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            Drop();
        }
    }

    private IReadOnlyDictionary<int, PartitionLog> Read(string topic)
    {
        lock (_gate)
        {
            try
            {
                _admin ??= new AdminClientBuilder(configFactory.CreateAdminClientConfig())
                    .SetLogHandler((_, message) => LogKafka(logger, message.Level.ToString(), message.Message))
                    .SetErrorHandler((_, error) => LogKafka(logger, error.Code.ToString(), error.Reason))
                    .Build();
                _consumer ??= new ConsumerBuilder<Ignore, Ignore>(configFactory.CreateConsumerConfig("lambda-serving-pipeline-health"))
                    .SetLogHandler((_, message) => LogKafka(logger, message.Level.ToString(), message.Message))
                    .SetErrorHandler((_, error) => LogKafka(logger, error.Code.ToString(), error.Reason))
                    .Build();
                var metadata = _admin.GetMetadata(topic, _timeout).Topics.SingleOrDefault(t => t.Topic == topic);
                if (metadata is null || metadata.Error.Code == ErrorCode.UnknownTopicOrPart)
                {
                    return new Dictionary<int, PartitionLog>();
                }

                if (metadata.Error.IsError)
                {
                    throw new KafkaException(metadata.Error);
                }

                var logs = new Dictionary<int, PartitionLog>();
                foreach (var partition in metadata.Partitions)
                {
                    var watermarks = _consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition.PartitionId), _timeout);
                    logs[partition.PartitionId] = new PartitionLog(watermarks.Low.Value, watermarks.High.Value);
                }

                return logs;
            }
            catch (KafkaException)
            {
                Drop();
                throw;
            }
        }
    }

    private void Drop()
    {
        _consumer?.Dispose();
        _consumer = null;
        _admin?.Dispose();
        _admin = null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka pipeline health client {Level}: {Message}")]
    private static partial void LogKafka(ILogger logger, string level, string message);
}
