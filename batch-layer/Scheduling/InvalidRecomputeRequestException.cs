namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// The arguments of a recompute (job arguments, command line) are invalid. Not retried: the same
/// arguments would fail again.
/// </summary>
public sealed class InvalidRecomputeRequestException : ArgumentException
{
    /// <summary>Creates the exception for the argument named <paramref name="paramName"/>.</summary>
    public InvalidRecomputeRequestException(string message, string? paramName)
        : base(message, paramName)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidRecomputeRequestException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidRecomputeRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidRecomputeRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
