using Lambda.ServingLayer.Pipeline;

namespace Lambda.ServingLayer.Contracts;

/// <summary>The thresholds of <c>Serving:PipelineHealth:Thresholds</c>, durations in seconds.</summary>
public sealed record PipelineThresholdsDescription(long MaxSpeedLag, long MaxArchiverLag, double MaxFreshnessSeconds, double MaxRecomputeAgeSeconds)
{
    /// <summary>Describes <paramref name="thresholds"/>.</summary>
    public static PipelineThresholdsDescription From(PipelineHealthThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        return new(thresholds.MaxSpeedLag, thresholds.MaxArchiverLag, thresholds.MaxFreshness.TotalSeconds, thresholds.MaxRecomputeAge.TotalSeconds);
    }
}
