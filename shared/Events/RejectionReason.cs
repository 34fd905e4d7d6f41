namespace Lambda.Shared.Events;

/// <summary>Why a message was not accepted as an event of its source.</summary>
public enum RejectionReason
{
    /// <summary>The message is larger than <see cref="EventParserOptions.MaxEventBytes"/>.</summary>
    TooLarge = 1,

    /// <summary>The message is empty, not well-formed JSON, or not valid UTF-8.</summary>
    NotJson = 2,

    /// <summary>The message is JSON but not an object (an array, a string, a number, ...).</summary>
    NotAnObject = 3,

    /// <summary>The event time or a declared field is absent.</summary>
    MissingField = 4,

    /// <summary>A declared field holds a JSON value of the wrong type (including null).</summary>
    WrongType = 5,

    /// <summary>A number does not fit its field: long overflow, a decimal with too many digits or decimal places, a non-finite double, a timestamp outside the representable range.</summary>
    ValueOutOfRange = 6,

    /// <summary>The event time cannot be parsed (not ISO-8601 with an offset, not integer epoch milliseconds).</summary>
    InvalidTime = 7,

    /// <summary>The event time is outside the accepted window (<see cref="EventParserOptions.MinEventTime"/>..<see cref="EventParserOptions.MaxEventTime"/>).</summary>
    TimeOutOfRange = 8,

    /// <summary>The event time or a declared field appears twice in the object.</summary>
    DuplicateField = 9,

    /// <summary>
    /// The event is well-formed but a lookup whose <c>on_missing</c> is <c>dead_letter</c> has no row for its key at its
    /// event time (dead-letter reason <c>lookup_missing</c>; <see cref="EventRejection.Field"/> names the lookup).
    /// </summary>
    LookupMissing = 10,
}
