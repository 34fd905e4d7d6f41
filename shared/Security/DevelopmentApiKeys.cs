namespace Lambda.Shared.Security;

/// <summary>
/// The documented development API keys (README, <c>scripts/lambda run</c>): public, so a Production start that would accept
/// one of them is refused.
/// </summary>
public static class DevelopmentApiKeys
{
    /// <summary>Every development key.</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { "dev-ingest-key", "dev-query-key", "dev-admin-key" };

    /// <summary>
    /// Why a Production start with <paramref name="keys"/> (as configured under <paramref name="settingPath"/>, entries
    /// named <c>settingPath:i</c> by <paramref name="describe"/>) must be refused; empty when it may start.
    /// </summary>
    public static IReadOnlyList<string> ProductionProblems(IReadOnlyList<string?> keys, string settingPath, Func<int, string> describe)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(describe);
        if (keys.Count == 0)
        {
            return [$"{settingPath} is empty: a Production start needs keys of its own (nothing would be reachable, or everything open)."];
        }

        return keys
            .Select((key, i) => key is not null && All.Contains(key)
                ? $"{describe(i)} is the public development key '{key}': set keys of your own for Production."
                : null)
            .OfType<string>()
            .ToList();
    }
}
