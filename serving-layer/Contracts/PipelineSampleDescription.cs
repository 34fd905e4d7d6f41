using Lambda.ServingLayer.Pipeline;

namespace Lambda.ServingLayer.Contracts;

/// <summary>One sample of one source (see <see cref="PipelineSample"/>); durations in seconds.</summary>
public sealed record PipelineSampleDescription(DateTimeOffset Time, double? EventsPerSecond, long? SpeedLag, long? ArchiverLag, double? FreshnessSeconds)
{
    /// <summary>Describes <paramref name="sample"/> (events per second to three decimals).</summary>
    public static PipelineSampleDescription From(PipelineSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return new(
            sample.Time,
            sample.EventsPerSecond is { } rate ? Math.Round(rate, 3) : null,
            sample.SpeedLag,
            sample.ArchiverLag,
            sample.Freshness?.TotalSeconds);
    }
}
