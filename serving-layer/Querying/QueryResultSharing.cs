namespace Lambda.ServingLayer.Querying;

/// <summary>
/// How <see cref="ViewQueryEngine"/> shares and refreshes the answers of identical queries
/// (set from <see cref="Configuration.ServingOptions"/>; see <see cref="ViewQueryResultCache"/>).
/// </summary>
public sealed record QueryResultSharing
{
    /// <summary>No sharing: every query is merged from scratch.</summary>
    public static QueryResultSharing None { get; } = new();

    /// <summary>Age from which a shared answer is refreshed; zero turns sharing off. Default zero.</summary>
    public TimeSpan Refresh { get; init; }

    /// <summary>Oldest shared answer served while its refresh runs (at least <see cref="Refresh"/>). Default zero.</summary>
    public TimeSpan MaxAge { get; init; }

    /// <summary>
    /// How long refreshes only merge the speed flushes stored since the previous answer before an answer is merged
    /// from scratch again; zero: always from scratch. Default zero.
    /// </summary>
    public TimeSpan Rebase { get; init; }
}
