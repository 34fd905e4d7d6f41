namespace Lambda.ServingLayer.Contracts;

/// <summary>A measure of a view.</summary>
/// <param name="Name">Measure name (a key in result rows).</param>
/// <param name="Kind">count, sum, min, max, avg, distinct or quantiles.</param>
/// <param name="Expression">As in the catalog, e.g. <c>sum(amount)</c>.</param>
/// <param name="Field">The aggregated field; null for count.</param>
/// <param name="ResultType">JSON value type of results: long (integer), double, decimal (number with the field's scale), timestamp (ISO string).</param>
public sealed record MeasureDescription(string Name, string Kind, string Expression, string? Field, string ResultType);
