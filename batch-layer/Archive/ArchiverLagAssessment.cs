using System.Globalization;

namespace Lambda.BatchLayer.Archive;

/// <summary>
/// The archiver's lag judged against the limit (<see cref="ArchiverOptions.MaxLag"/>): a source is behind when one of
/// its partitions is more than <see cref="MaxLag"/> messages behind. One partition is enough, because the broker evicts
/// per partition: the others being idle does not save its oldest messages.
/// </summary>
/// <param name="Sources">One entry per archived source, in the order given.</param>
/// <param name="MaxLag">The limit, in messages per partition.</param>
public sealed record ArchiverLagAssessment(IReadOnlyList<SourceLag> Sources, long MaxLag)
{
    /// <summary>Whether some source is behind.</summary>
    public bool AnyBehind => Sources.Any(s => s.IsBehind);

    /// <summary>Judges <paramref name="lags"/> (per source and partition) for each of <paramref name="sources"/>.</summary>
    public static ArchiverLagAssessment Assess(IEnumerable<(string Source, int Partition, long Lag)> lags, IEnumerable<string> sources, long maxLag)
    {
        ArgumentNullException.ThrowIfNull(lags);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLag, 1);
        var bySource = lags.ToLookup(l => l.Source, StringComparer.Ordinal);
        var judged = sources.Select(source =>
        {
            var own = bySource[source].ToArray();
            if (own.Length == 0)
            {
                return new SourceLag(source, 0, -1, 0, 0);
            }

            var worst = own.MaxBy(l => l.Lag);
            return new SourceLag(source, own.Length, worst.Partition, worst.Lag, own.Count(l => l.Lag > maxLag));
        }).ToArray();
        return new ArchiverLagAssessment(judged, maxLag);
    }

    /// <summary>One line for the health endpoint: the sources behind, or that none is.</summary>
    public string Describe()
    {
        var behind = Sources.Where(s => s.IsBehind).ToArray();
        var limit = MaxLag.ToString("N0", CultureInfo.InvariantCulture);
        if (behind.Length == 0)
        {
            return $"every archived partition is at most {limit} messages behind";
        }

        return string.Join("; ", behind.Select(s => string.Create(
            CultureInfo.InvariantCulture,
            $"source {s.Source}: {s.PartitionsBehind} of {s.Partitions} partitions more than {limit} messages behind (partition {s.WorstPartition}: {s.WorstLag:N0}); ingest is refused until it catches up")));
    }
}
