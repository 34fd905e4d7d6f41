using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Lambda.Shared.Kafka.Epochs;

/// <summary>Reads topic ids with Kafka's DescribeTopics request (Kafka 3.1+ brokers and the dev broker report them).</summary>
public sealed partial class KafkaTopicIdReader(KafkaClientConfigFactory kafka, ILogger<KafkaTopicIdReader> logger) : ITopicIdReader, IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private IAdminClient? _admin;

    /// <inheritdoc />
    public async Task<string> ReadAsync(string topic, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        try
        {
            var result = await Admin().DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]), new DescribeTopicsOptions { RequestTimeout = RequestTimeout })
                .WaitAsync(cancellationToken)
                .ConfigureAwait(false);
            var description = result.TopicDescriptions.Single();
            return description.Error.IsError || description.TopicId is null ? string.Empty : description.TopicId.ToString();
        }
        catch (KafkaException ex)
        {
            // Without an id the log offsets still guard the stored ones (EpochRules).
            LogUnavailable(logger, topic, ex.Error.Reason);
            return string.Empty;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _admin?.Dispose();
            _admin = null;
        }
    }

    private IAdminClient Admin()
    {
        lock (_gate)
        {
            return _admin ??= new AdminClientBuilder(kafka.CreateAdminClientConfig()).Build();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The id of topic {Topic} could not be read ({Reason}); only its log offsets are checked against the stored ones")]
    private static partial void LogUnavailable(ILogger logger, string topic, string reason);
}
