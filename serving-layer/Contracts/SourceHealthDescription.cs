namespace Lambda.ServingLayer.Contracts;

/// <summary>One source's pipeline health series.</summary>
/// <param name="Source">The catalog source.</param>
/// <param name="Topic">Its Kafka topic.</param>
/// <param name="Samples">The samples of the history, oldest first; a null value is a failed (or not yet possible) read.</param>
/// <param name="Breached">Which series' current (newest) value is above its threshold.</param>
public sealed record SourceHealthDescription(string Source, string Topic, IReadOnlyList<PipelineSampleDescription> Samples, PipelineBreachesDescription Breached);
