namespace Lambda.ServingLayer.Pipeline;

/// <summary>One source's pipeline health at one instant; a null series value means its read failed (or it is not known yet).</summary>
/// <param name="Time">When the sample was taken (UTC).</param>
/// <param name="EventsPerSecond">Events appended to the topic per second since the previous sample.</param>
/// <param name="SpeedLag">Events on the broker the speed layer has not stored, for the source's slowest view.</param>
/// <param name="ArchiverLag">Events the batch layer's archiver reported it is behind, summed over the topic's partitions.</param>
/// <param name="Freshness">How long, at most, the newest unstored events have waited for the speed layer (zero without lag).</param>
public sealed record PipelineSample(DateTimeOffset Time, double? EventsPerSecond, long? SpeedLag, long? ArchiverLag, TimeSpan? Freshness);
