namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// An ad hoc query the read-only lockdown refuses before DuckDB runs it (<see cref="AdHocStatementGuard"/>): not exactly
/// one SELECT statement. The message says what was refused and why, for the console and the job's error.
/// </summary>
public sealed class AdHocQueryRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AdHocQueryRefusedException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public AdHocQueryRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public AdHocQueryRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
