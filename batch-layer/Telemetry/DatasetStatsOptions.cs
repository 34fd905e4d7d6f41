namespace Lambda.BatchLayer.Telemetry;

/// <summary>How often the master dataset's size is measured for the metrics. Bound from <c>Batch:DatasetStats</c>.</summary>
public sealed class DatasetStatsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Batch:DatasetStats";

    /// <summary>Time between two measurements (each reads every source's commit log and stats its files). Default 30 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);
}
