namespace Lambda.Shared.Events;

/// <summary>Why a message was rejected.</summary>
/// <param name="Reason">The reason code.</param>
/// <param name="Field">The offending field (or event-time field), when the problem is with one field.</param>
/// <param name="Message">A human-readable explanation naming the field, e.g. <c>field 'amount' must be a number (decimal(18,2)), got a string</c>.</param>
public readonly record struct EventRejection(RejectionReason Reason, string? Field, string Message)
{
    /// <summary>The message.</summary>
    public override string ToString() => Message;
}
