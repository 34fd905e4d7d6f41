namespace Lambda.Shared.Schema;

/// <summary>
/// The catalog is not compatible with the schema the master dataset was written with; the message lists every change
/// refused, each naming its source and field. Thrown at start so that nothing already archived is misread.
/// </summary>
public sealed class SchemaIncompatibleException : Exception
{
    /// <summary>Creates the exception for <paramref name="problems"/>.</summary>
    public SchemaIncompatibleException(IReadOnlyList<string> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception with a message.</summary>
    public SchemaIncompatibleException(string message)
        : base(message)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public SchemaIncompatibleException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception without a message.</summary>
    public SchemaIncompatibleException()
        : this("the catalog is not compatible with the archived master dataset")
    {
    }

    /// <summary>Each incompatible change, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Describe(IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return $"the catalog is not compatible with the archived master dataset ({problems.Count} problem(s)):"
            + string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}"));
    }
}
