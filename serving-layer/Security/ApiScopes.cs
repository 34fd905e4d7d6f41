namespace Lambda.ServingLayer.Security;

/// <summary>The API key scopes; each is also the name of the authorization policy that requires it.</summary>
public static class ApiScopes
{
    /// <summary>May post events (<c>POST /api/events/{source}</c>).</summary>
    public const string Ingest = "ingest";

    /// <summary>May read the catalog and query views (<c>GET /api/views...</c>).</summary>
    public const string Query = "query";

    /// <summary>May enqueue recomputes and read batch status (<c>/api/admin/...</c>).</summary>
    public const string Admin = "admin";

    /// <summary>The claim type that carries a scope.</summary>
    public const string ClaimType = "scope";

    /// <summary>Every scope.</summary>
    public static IReadOnlyList<string> All { get; } = [Ingest, Query, Admin];
}
