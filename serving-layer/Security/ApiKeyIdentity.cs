namespace Lambda.ServingLayer.Security;

/// <summary>Who a valid API key is: a label safe to log (index and digest prefix, never the key) and its scopes.</summary>
public sealed record ApiKeyIdentity(string Label, IReadOnlyList<string> Scopes);
