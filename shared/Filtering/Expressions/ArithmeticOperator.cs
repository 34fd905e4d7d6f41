namespace Lambda.Shared.Filtering.Expressions;

/// <summary>The arithmetic operators of value expressions.</summary>
internal enum ArithmeticOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}
