namespace Lambda.Shared.Kafka.Epochs;

/// <summary>Reads a topic's id from the broker: the only sign of a topic created again that does not depend on offsets.</summary>
public interface ITopicIdReader
{
    /// <summary>The topic's id, or empty when the broker reports none or cannot be asked now.</summary>
    Task<string> ReadAsync(string topic, CancellationToken cancellationToken);
}
