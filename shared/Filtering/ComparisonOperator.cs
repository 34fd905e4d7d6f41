namespace Lambda.Shared.Filtering;

/// <summary>The comparison operators of the filter language.</summary>
internal enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}
