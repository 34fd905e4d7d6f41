namespace Lambda.Shared.Batch;

/// <summary>
/// The arguments of a recompute are invalid (see <see cref="RecomputeRequestValidator"/>). Not retried: the same
/// arguments would fail again.
/// </summary>
public sealed class InvalidRecomputeRequestException : ArgumentException
{
    /// <summary>Creates the exception for the argument named <paramref name="paramName"/>.</summary>
    public InvalidRecomputeRequestException(string message, string? paramName)
        : base(message, paramName)
    {
        Reason = message;
    }

    /// <summary>Creates the exception.</summary>
    public InvalidRecomputeRequestException()
    {
        Reason = Message;
    }

    /// <summary>Creates the exception.</summary>
    public InvalidRecomputeRequestException(string message)
        : base(message)
    {
        Reason = message;
    }

    /// <summary>Creates the exception.</summary>
    public InvalidRecomputeRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>The message without the parameter suffix that <see cref="ArgumentException.Message"/> appends.</summary>
    public string Reason { get; }
}
