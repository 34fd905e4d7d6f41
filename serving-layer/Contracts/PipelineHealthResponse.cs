namespace Lambda.ServingLayer.Contracts;

/// <summary>Body of <c>GET /api/health/pipeline</c>: what this serving instance sampled over its history.</summary>
/// <param name="Now">When the answer was made (UTC).</param>
/// <param name="SampleIntervalSeconds">Seconds between two samples (<c>Serving:PipelineHealth:SampleInterval</c>).</param>
/// <param name="HistorySeconds">Seconds of samples kept (<c>Serving:PipelineHealth:History</c>).</param>
/// <param name="Thresholds">The thresholds every source's series is flagged against.</param>
/// <param name="LastRecompute">The newest batch run (one run log for all sources); null when none is recorded or it could not be read.</param>
/// <param name="Sources">One entry per catalog source, in catalog order.</param>
public sealed record PipelineHealthResponse(
    DateTimeOffset Now,
    double SampleIntervalSeconds,
    double HistorySeconds,
    PipelineThresholdsDescription Thresholds,
    LastRecomputeDescription? LastRecompute,
    IReadOnlyList<SourceHealthDescription> Sources);
