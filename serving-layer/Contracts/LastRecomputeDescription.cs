namespace Lambda.ServingLayer.Contracts;

/// <summary>The newest batch run, as the pipeline health page shows it.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Mode">incremental, full or backfill.</param>
/// <param name="State">waiting, running, succeeded, nothing_to_do, failed or cancelled.</param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="FinishedAt">When it finished (UTC); null while it runs.</param>
/// <param name="AgeSeconds">Seconds since it finished (since it started while it runs).</param>
/// <param name="DurationSeconds">Seconds it took; null while it runs.</param>
/// <param name="Breached">Whether the age is above <c>Serving:PipelineHealth:Thresholds:MaxRecomputeAge</c>.</param>
public sealed record LastRecomputeDescription(
    string RunId,
    string Mode,
    string State,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    double AgeSeconds,
    double? DurationSeconds,
    bool Breached);
