namespace Lambda.BatchLayer.Scheduling;

/// <summary>Another recompute kept the recompute lock for longer than this one was willing to wait.</summary>
public sealed class RecomputeLockTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public RecomputeLockTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RecomputeLockTimeoutException()
        : base("Another recompute holds the recompute lock.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public RecomputeLockTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
