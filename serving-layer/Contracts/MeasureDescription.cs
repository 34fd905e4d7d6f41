namespace Lambda.ServingLayer.Contracts;

/// <summary>A measure of a view.</summary>
/// <param name="Name">Measure name (a key in result rows).</param>
/// <param name="Kind">count, sum, min, max, avg, distinct or quantiles.</param>
/// <param name="Expression">As in the catalog, e.g. <c>sum(amount)</c>.</param>
/// <param name="Field">The aggregated field; null for count.</param>
/// <param name="ResultType">JSON value type of results: long (integer), double, decimal (number with the field's scale), timestamp (ISO string), quantiles (object of percentiles, e.g. {"p50":12.1,"p99":80.4}).</param>
public sealed record MeasureDescription(string Name, string Kind, string Expression, string? Field, string ResultType);
