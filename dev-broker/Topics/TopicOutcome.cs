namespace Lambda.DevBroker.Topics;

/// <summary>What an idempotent topic creation did.</summary>
public enum TopicOutcome
{
    /// <summary>The topic did not exist and was created.</summary>
    Created,

    /// <summary>The topic already existed with the requested partition count.</summary>
    Exists,

    /// <summary>The topic already existed with a different partition count; nothing changed.</summary>
    Conflict,
}
