using Confluent.Kafka;
using Lambda.DevBroker.Native;

namespace Lambda.DevBroker.Topics;

/// <summary>
/// Creates, lists and deletes topics of the mock cluster. The mock cluster answers Kafka's
/// CreateTopics request with an error, so topics are created through its native API, and the
/// broker's own Metadata response is the source of truth for what exists (clients may auto-create
/// topics too).
/// </summary>
internal sealed class TopicManager : IDisposable
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);
    private readonly MockKafkaCluster _cluster;
    private readonly ILogger<TopicManager> _logger;
    private readonly IAdminClient _admin;
    private readonly Lock _gate = new();

    public TopicManager(MockKafkaCluster cluster, ILogger<TopicManager> logger)
    {
        _cluster = cluster;
        _logger = logger;
        _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers })
            .SetLogHandler((_, message) => logger.LogDebug("librdkafka {Facility}: {Message}", message.Facility, message.Message))
            .Build();
    }

    /// <summary>Every topic the broker knows, by name.</summary>
    public IReadOnlyList<TopicInfo> List()
    {
        var metadata = _admin.GetMetadata(MetadataTimeout);
        return metadata.Topics
            .Where(t => t.Error.Code == ErrorCode.NoError)
            .Select(t => new TopicInfo(t.Topic, t.Partitions.Count))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Creates the topic unless it exists; never changes an existing topic.</summary>
    public TopicCreation Ensure(string name, int partitions)
    {
        lock (_gate)
        {
            if (Find(name) is { } existing)
            {
                return Existing(existing, partitions);
            }

            var err = _cluster.CreateTopic(name, partitions);
            if (err == LibRdKafka.TopicAlreadyExists && Find(name) is { } raced)
            {
                // A client's metadata request auto-created it between the lookup and the create.
                return Existing(raced, partitions);
            }

            if (err != LibRdKafka.NoError)
            {
                throw new InvalidOperationException($"Creating topic '{name}' failed: {LibRdKafka.Describe(err)}.");
            }

            _logger.LogInformation("Created topic {Topic} with {Partitions} partitions", name, partitions);
            return new TopicCreation(TopicOutcome.Created, new TopicInfo(name, partitions));
        }
    }

    /// <summary>Deletes the topic and its data; false when it does not exist.</summary>
    public bool Delete(string name)
    {
        lock (_gate)
        {
            if (Find(name) is null)
            {
                return false;
            }

            var err = _cluster.DeleteTopic(name);
            if (err != LibRdKafka.NoError)
            {
                throw new InvalidOperationException($"Deleting topic '{name}' failed: {LibRdKafka.Describe(err)}.");
            }

            _logger.LogInformation("Deleted topic {Topic}", name);
            return true;
        }
    }

    public void Dispose() => _admin.Dispose();

    private TopicInfo? Find(string name) =>
        List().FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    private TopicCreation Existing(TopicInfo existing, int requestedPartitions)
    {
        if (existing.Partitions == requestedPartitions)
        {
            return new TopicCreation(TopicOutcome.Exists, existing);
        }

        _logger.LogWarning(
            "Topic {Topic} exists with {Existing} partitions; {Requested} were requested",
            existing.Name, existing.Partitions, requestedPartitions);
        return new TopicCreation(TopicOutcome.Conflict, existing);
    }
}
