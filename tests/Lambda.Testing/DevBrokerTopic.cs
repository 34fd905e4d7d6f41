namespace Lambda.Testing;

/// <summary>A topic as the development broker's control API reports it.</summary>
public sealed record DevBrokerTopic(string Name, int Partitions);
