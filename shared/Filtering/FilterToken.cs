namespace Lambda.Shared.Filtering;

/// <summary>A lexical token: its kind, its text (unquoted for strings) and its 1-based position.</summary>
internal readonly record struct FilterToken(FilterTokenKind Kind, string Text, int Position, ComparisonOperator Operator = default)
{
    /// <summary>Throws unless this token ends the expression; <paramref name="expected"/> names what could have come instead.</summary>
    public void ExpectEnd(string expected)
    {
        if (Kind != FilterTokenKind.End)
        {
            throw Kind == FilterTokenKind.RightParen
                ? new FilterException(Position, "unbalanced ')'")
                : new FilterException(Position, $"expected {expected} or the end of the expression, found {Describe()}");
        }
    }

    public string Describe() => Kind switch
    {
        FilterTokenKind.End => "the end of the expression",
        FilterTokenKind.String => $"'{Text}'",
        _ => $"'{Text}'",
    };
}
