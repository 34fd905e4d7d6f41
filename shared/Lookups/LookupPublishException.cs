namespace Lambda.Shared.Lookups;

/// <summary>A publish of lookup rows was refused (unknown lookup, missing column, bad CSV/JSON, wrong type); nothing was stored.</summary>
public sealed class LookupPublishException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="field">What is wrong: the lookup name (<c>name</c>), a column, or <c>body</c> for the document as a whole.</param>
    /// <param name="message">A message naming the field (and the line or row).</param>
    public LookupPublishException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    /// <summary>Creates the error (serialisation needs no field).</summary>
    public LookupPublishException()
        : this("body", "the lookup publish was refused")
    {
    }

    /// <summary>Creates the error.</summary>
    public LookupPublishException(string message)
        : this("body", message)
    {
    }

    /// <summary>Creates the error.</summary>
    public LookupPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "body";
    }

    /// <summary>The offending field: <c>name</c>, a column name, or <c>body</c>.</summary>
    public string Field { get; } = "body";
}
