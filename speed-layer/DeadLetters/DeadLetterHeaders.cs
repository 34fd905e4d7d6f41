namespace Lambda.SpeedLayer.DeadLetters;

/// <summary>
/// Headers of a dead-letter message (values are UTF-8 text). The message value and key are the original
/// bytes, unchanged.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>The rejection reason code, e.g. <c>WrongType</c> (<see cref="Lambda.Shared.Events.RejectionReason"/>).</summary>
    public const string Reason = "dlq-reason";

    /// <summary>The human-readable explanation naming the field, e.g. <c>field 'amount' must be a number ...</c>.</summary>
    public const string Error = "dlq-error";

    /// <summary>The offending field, when the problem is with one field (absent otherwise).</summary>
    public const string Field = "dlq-field";

    /// <summary>The topic the message was consumed from.</summary>
    public const string SourceTopic = "source-topic";

    /// <summary>The partition it was consumed from (decimal).</summary>
    public const string SourcePartition = "source-partition";

    /// <summary>Its Kafka offset in that partition (decimal).</summary>
    public const string SourceOffset = "source-offset";

    /// <summary>The offset epoch of the topic it was consumed in (decimal; 0 until the topic's offsets first restarted).</summary>
    public const string SourceEpoch = "source-epoch";
}
