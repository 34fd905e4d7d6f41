namespace Lambda.DevBroker.Topics;

/// <summary>A topic as the broker reports it.</summary>
public sealed record TopicInfo(string Name, int Partitions);
