using System.Diagnostics.CodeAnalysis;

namespace Lambda.ServingLayer.Alerts;

/// <summary>Parsing, spelling and evaluation of <see cref="AlertCondition"/>.</summary>
public static class AlertConditionExtensions
{
    /// <summary>The accepted spellings.</summary>
    public static IReadOnlyList<string> Symbols { get; } = [">", ">=", "<", "<="];

    /// <summary>The condition's symbol (<c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>).</summary>
    public static string ToSymbol(this AlertCondition condition) => condition switch
    {
        AlertCondition.GreaterThan => ">",
        AlertCondition.GreaterThanOrEqual => ">=",
        AlertCondition.LessThan => "<",
        AlertCondition.LessThanOrEqual => "<=",
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
    };

    /// <summary>Parses a symbol (surrounding white space ignored).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out AlertCondition condition)
    {
        condition = text?.Trim() switch
        {
            ">" => AlertCondition.GreaterThan,
            ">=" => AlertCondition.GreaterThanOrEqual,
            "<" => AlertCondition.LessThan,
            "<=" => AlertCondition.LessThanOrEqual,
            _ => 0,
        };
        return condition != 0;
    }

    /// <summary>True when <c>value condition threshold</c> holds.</summary>
    public static bool Holds(this AlertCondition condition, double value, double threshold) => condition switch
    {
        AlertCondition.GreaterThan => value > threshold,
        AlertCondition.GreaterThanOrEqual => value >= threshold,
        AlertCondition.LessThan => value < threshold,
        AlertCondition.LessThanOrEqual => value <= threshold,
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
    };
}
