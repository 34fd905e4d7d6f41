namespace Lambda.Shared.Filtering;

/// <summary>A lexical token: its kind, its text (unquoted for strings) and its 1-based position.</summary>
internal readonly record struct FilterToken(FilterTokenKind Kind, string Text, int Position, ComparisonOperator Operator = default)
{
    public string Describe() => Kind switch
    {
        FilterTokenKind.End => "the end of the expression",
        FilterTokenKind.String => $"'{Text}'",
        _ => $"'{Text}'",
    };
}
