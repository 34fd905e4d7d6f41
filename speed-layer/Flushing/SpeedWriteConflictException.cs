namespace Lambda.SpeedLayer.Flushing;

/// <summary>
/// The speed table of a view holds offsets this instance did not expect for a partition: another writer
/// (an instance that now owns the partition) has stored data there. Writing would count events twice, so
/// the instance stops; after a restart it resumes from what the table holds.
/// </summary>
public sealed class SpeedWriteConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SpeedWriteConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public SpeedWriteConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public SpeedWriteConflictException()
        : base("The speed table holds offsets written by another writer.")
    {
    }
}
