namespace Lambda.Shared.Dataset;

/// <summary>
/// The commit log changed while it was read (a compaction replaced records meanwhile), so what was read may not be
/// one consistent state. <see cref="ConsistentRead"/> reads again; thrown to the caller only when it kept changing.
/// </summary>
public sealed class CommitLogChangedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CommitLogChangedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CommitLogChangedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CommitLogChangedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
