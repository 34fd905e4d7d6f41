using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Kafka;

/// <summary>
/// Builds Confluent.Kafka client configurations from <see cref="KafkaOptions"/>: the
/// <c>Kafka:Client</c> properties verbatim plus the bootstrap list. Callers add what their role
/// needs (idempotence, manual commits, ...) on the returned object; what they set wins.
/// </summary>
public sealed class KafkaClientConfigFactory(IOptions<KafkaOptions> options)
{
    private readonly KafkaOptions _options = options.Value;

    /// <summary>
    /// The broker list: <see cref="KafkaOptions.BootstrapServers"/>, or else the current content of
    /// <see cref="KafkaOptions.BootstrapFile"/> (re-read on every call, so a restarted development
    /// broker on a new port is found by clients created afterwards).
    /// </summary>
    public string ResolveBootstrapServers()
    {
        if (!string.IsNullOrWhiteSpace(_options.BootstrapServers))
        {
            return _options.BootstrapServers.Trim();
        }

        if (string.IsNullOrWhiteSpace(_options.BootstrapFile))
        {
            throw new InvalidOperationException(
                $"{KafkaOptions.SectionName}:{nameof(KafkaOptions.BootstrapServers)} is empty and {KafkaOptions.SectionName}:{nameof(KafkaOptions.BootstrapFile)} is not set.");
        }

        var path = Path.GetFullPath(_options.BootstrapFile);
        var content = File.Exists(path) ? File.ReadAllText(path).Trim() : string.Empty;
        if (content.Length == 0)
        {
            throw new InvalidOperationException(
                $"{KafkaOptions.SectionName}:{nameof(KafkaOptions.BootstrapFile)} '{path}' is missing or empty: is the development broker running ('scripts/lambda up')?");
        }

        return content;
    }

    /// <summary>A producer configuration with the pass-through properties and the bootstrap list.</summary>
    public ProducerConfig CreateProducerConfig() =>
        new(CopyClientProperties()) { BootstrapServers = ResolveBootstrapServers() };

    /// <summary>A consumer configuration for consumer group <paramref name="groupId"/>.</summary>
    public ConsumerConfig CreateConsumerConfig(string groupId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        return new ConsumerConfig(CopyClientProperties()) { BootstrapServers = ResolveBootstrapServers(), GroupId = groupId };
    }

    /// <summary>An admin client configuration (metadata; topic creation on a real Kafka).</summary>
    public AdminClientConfig CreateAdminClientConfig() =>
        new(CopyClientProperties()) { BootstrapServers = ResolveBootstrapServers() };

    // A copy: Confluent's config objects write through to the dictionary they are given.
    private Dictionary<string, string> CopyClientProperties() => new(_options.Client, StringComparer.Ordinal);
}
