namespace Lambda.Shared.Filtering;

/// <summary>A filter expression could not be compiled: a syntax error, an unknown field or a type mismatch.</summary>
public sealed class FilterException : Exception
{
    /// <summary>Creates the exception for a problem at <paramref name="position"/> (1-based character position).</summary>
    public FilterException(int position, string detail)
        : base($"at position {position}: {detail}")
    {
        Position = position;
        Detail = detail;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public FilterException(string message)
        : base(message)
    {
        Detail = message;
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public FilterException(string message, Exception innerException)
        : base(message, innerException)
    {
        Detail = message;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public FilterException()
        : this("invalid filter")
    {
    }

    /// <summary>1-based character position of the problem in the expression (0 when unknown).</summary>
    public int Position { get; }

    /// <summary>The problem, without the position prefix.</summary>
    public string Detail { get; }
}
