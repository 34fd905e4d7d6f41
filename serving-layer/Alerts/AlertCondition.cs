namespace Lambda.ServingLayer.Alerts;

/// <summary>How an alert rule compares its value with its threshold; the rule fires while the comparison holds.</summary>
public enum AlertCondition
{
    /// <summary><c>value &gt; threshold</c>.</summary>
    GreaterThan = 1,

    /// <summary><c>value &gt;= threshold</c>.</summary>
    GreaterThanOrEqual = 2,

    /// <summary><c>value &lt; threshold</c>.</summary>
    LessThan = 3,

    /// <summary><c>value &lt;= threshold</c>.</summary>
    LessThanOrEqual = 4,
}
