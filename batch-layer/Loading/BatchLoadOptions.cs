namespace Lambda.BatchLayer.Loading;

/// <summary>Loading of published batch views into ClickHouse; bound from <c>Batch:Load</c>.</summary>
public sealed class BatchLoadOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Batch:Load";

    /// <summary>
    /// Whether each recomputed (view, day) is loaded into its ClickHouse table after a recompute
    /// publishes. Default: true.
    /// </summary>
    public bool Enabled { get; init; } = true;
}
