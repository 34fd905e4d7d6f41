using Lambda.ServingLayer.Contracts;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>Builds the answer of <c>GET /api/health/pipeline</c> from the history and flags what is above its threshold.</summary>
public static class PipelineHealthReport
{
    /// <summary>
    /// The report as of <paramref name="now"/>; a value is breached when strictly above its threshold. Without
    /// <paramref name="recomputesExpected"/> (Kappa mode: no recomputes run) the last recompute's age is never breached.
    /// </summary>
    public static PipelineHealthResponse Build(
        LambdaCatalog catalog, PipelineHealthHistory history, PipelineHealthOptions options, DateTimeOffset now, bool recomputesExpected = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        var thresholds = options.Thresholds;
        var sources = catalog.Sources.Select(source =>
        {
            var samples = history.SamplesOf(source.Name);
            var current = samples.Count > 0 ? samples[^1] : null;
            var breached = new PipelineBreachesDescription(
                current?.SpeedLag > thresholds.MaxSpeedLag,
                current?.ArchiverLag > thresholds.MaxArchiverLag,
                current?.Freshness > thresholds.MaxFreshness);
            return new SourceHealthDescription(source.Name, source.Topic, samples.Select(PipelineSampleDescription.From).ToArray(), breached);
        }).ToArray();
        return new PipelineHealthResponse(
            now,
            options.SampleInterval.TotalSeconds,
            options.History.TotalSeconds,
            PipelineThresholdsDescription.From(thresholds),
            Describe(history.Recompute, thresholds, now, recomputesExpected),
            sources);
    }

    private static LastRecomputeDescription? Describe(RecomputeReading? reading, PipelineHealthThresholds thresholds, DateTimeOffset now, bool recomputesExpected)
    {
        if (reading?.Run is not { } run || reading.AgeAt(now) is not { } age)
        {
            return null;
        }

        return new LastRecomputeDescription(
            run.RunId,
            run.Mode,
            run.State,
            run.StartedAt.ToUniversalTime(),
            run.FinishedAt?.ToUniversalTime(),
            Math.Round(age.TotalSeconds, 3),
            run.FinishedAt is { } finished ? Math.Round((finished - run.StartedAt).TotalSeconds, 3) : null,
            recomputesExpected && age > thresholds.MaxRecomputeAge);
    }
}
