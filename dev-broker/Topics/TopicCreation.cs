namespace Lambda.DevBroker.Topics;

/// <summary>Result of <see cref="TopicManager.Ensure"/>: what happened and the topic as it now is.</summary>
public sealed record TopicCreation(TopicOutcome Outcome, TopicInfo Topic);
