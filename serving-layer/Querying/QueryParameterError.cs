namespace Lambda.ServingLayer.Querying;

/// <summary>Why a request was refused, naming the parameter at fault.</summary>
/// <param name="Parameter">The parameter name as the API spells it (e.g. <c>granularity</c>, <c>view</c>).</param>
/// <param name="Message">What is wrong, naming the parameter and the value.</param>
/// <param name="StatusCode">400, or 404 when the named thing does not exist.</param>
/// <param name="Position">For an expression (<c>where</c>), the 1-based character position of the problem.</param>
/// <param name="Token">For an expression, the token at <paramref name="Position"/> as quoted in the message.</param>
/// <param name="Limit">For a request beyond a configured limit, which one (<c>range</c>, <c>groups</c>): the metric's label.</param>
/// <param name="Setting">With <paramref name="Limit"/>, the configuration key of that limit.</param>
public sealed record QueryParameterError(
    string Parameter, string Message, int StatusCode = 400, int? Position = null, string? Token = null, string? Limit = null, string? Setting = null);
