using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Lambda.Shared.Kafka;
using Lambda.Shared.Kafka.Epochs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.SpeedLayer.DeadLetters;

/// <summary>Produces dead letters to <c>&lt;topic&gt;&lt;DeadLetterSuffix&gt;</c> with an idempotent, acks=all producer.</summary>
public sealed partial class KafkaDeadLetterSink : IDeadLetterSink, IDisposable
{
    private static readonly TimeSpan FlushOnDispose = TimeSpan.FromSeconds(10);
    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly string _suffix;
    private readonly Dictionary<string, string> _topics = new(StringComparer.Ordinal);
    private readonly Lock _topicsLock = new();

    /// <summary>Creates the producer from the shared Kafka settings.</summary>
    public KafkaDeadLetterSink(KafkaClientConfigFactory factory, IOptions<SpeedLayerOptions> options, ILogger<KafkaDeadLetterSink> logger)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _suffix = options.Value.DeadLetterSuffix;
        var config = factory.CreateProducerConfig();
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        config.LingerMs = 5;
        _producer = new ProducerBuilder<byte[]?, byte[]>(config)
            .SetErrorHandler((_, error) => LogKafkaError(logger, error.Code, error.Reason))
            .Build();
    }

    /// <inheritdoc/>
    public Task PublishAsync(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var headers = new Headers
        {
            { DeadLetterHeaders.Reason, Encoding.UTF8.GetBytes(ReasonText(letter.Rejection.Reason)) },
            { DeadLetterHeaders.Error, Encoding.UTF8.GetBytes(letter.Rejection.Message) },
            { DeadLetterHeaders.SourceTopic, Encoding.UTF8.GetBytes(letter.SourceTopic) },
            { DeadLetterHeaders.SourcePartition, Encoding.UTF8.GetBytes(letter.Partition.ToString(CultureInfo.InvariantCulture)) },
            { DeadLetterHeaders.SourceOffset, Encoding.UTF8.GetBytes(KafkaPosition.OffsetOf(letter.Offset).ToString(CultureInfo.InvariantCulture)) },
            { DeadLetterHeaders.SourceEpoch, Encoding.UTF8.GetBytes(KafkaPosition.EpochOf(letter.Offset).ToString(CultureInfo.InvariantCulture)) },
        };
        if (letter.Rejection.Field is { } field)
        {
            headers.Add(DeadLetterHeaders.Field, Encoding.UTF8.GetBytes(field));
        }

        return _producer.ProduceAsync(TopicOf(letter.SourceTopic), new Message<byte[]?, byte[]> { Key = letter.Key, Value = letter.Value, Headers = headers });
    }

    /// <summary>Waits (bounded) for messages still in flight, then releases the producer.</summary>
    public void Dispose()
    {
        _producer.Flush(FlushOnDispose);
        _producer.Dispose();
    }

    /// <summary>The reason header: the enum name, except <c>lookup_missing</c>, the spelling the catalog documentation gives.</summary>
    internal static string ReasonText(Lambda.Shared.Events.RejectionReason reason) =>
        reason == Lambda.Shared.Events.RejectionReason.LookupMissing ? "lookup_missing" : reason.ToString();

    private string TopicOf(string sourceTopic)
    {
        lock (_topicsLock)
        {
            if (!_topics.TryGetValue(sourceTopic, out var topic))
            {
                topic = sourceTopic + _suffix;
                _topics.Add(sourceTopic, topic);
            }

            return topic;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-letter producer: Kafka error {Code}: {Reason}")]
    private static partial void LogKafkaError(ILogger logger, ErrorCode code, string reason);
}
