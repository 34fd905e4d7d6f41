namespace Lambda.DevBroker.Topics;

/// <summary>A topic to create: its name and partition count (also the control API's request body).</summary>
public sealed class TopicSpec
{
    /// <summary>Topic name (Kafka rules: 1-249 characters of <c>[a-zA-Z0-9._-]</c>).</summary>
    public string? Name { get; init; }

    /// <summary>Number of partitions (1-<see cref="TopicRules.MaxPartitions"/>).</summary>
    public int? Partitions { get; init; }
}
