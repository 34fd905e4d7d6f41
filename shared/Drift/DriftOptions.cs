namespace Lambda.Shared.Drift;

/// <summary>
/// Where the drift audit keeps its tables (section <c>Drift</c>), read by both the batch layer (writer) and the serving
/// layer (reader): they must agree.
/// </summary>
public sealed class DriftOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Drift";

    /// <summary>
    /// PostgreSQL schema of <c>drift_audits</c> and <c>drift_differences</c> (created if missing): lowercase letters,
    /// digits and <c>_</c>. Default none: the connection's search path (normally <c>public</c>).
    /// </summary>
    public string? Schema { get; init; }

    /// <summary>Whether the batch layer audits after every recompute. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Most differences stored per view and run (the count in <c>drift_audits</c> is always complete). Default 10,000.</summary>
    public int MaxStoredDifferences { get; init; } = 10_000;
}
