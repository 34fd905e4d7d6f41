namespace Lambda.ServingLayer.Contracts;

/// <summary>Whether each thresholded series of a source is above its threshold now (false when its newest value is null).</summary>
public sealed record PipelineBreachesDescription(bool SpeedLag, bool ArchiverLag, bool Freshness);
