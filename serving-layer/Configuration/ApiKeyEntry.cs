namespace Lambda.ServingLayer.Configuration;

/// <summary>One API key and what it may do (an item of <c>Serving:ApiKeys</c>).</summary>
public sealed class ApiKeyEntry
{
    /// <summary>The key as clients send it in the <c>X-Api-Key</c> header. Default empty (invalid: must be set).</summary>
    public string Key { get; init; } = string.Empty;

    /// <summary>The scopes the key grants: any of <c>ingest</c>, <c>query</c>, <c>admin</c>. Default none (invalid: must be set).</summary>
    public IList<string> Scopes { get; init; } = [];
}
