using Lambda.Shared.Batch;

namespace Lambda.ServingLayer.Ingest;

/// <summary>
/// Which topics' ingest is refused: those on which a fresh archiver report says the archiver is behind
/// (<see cref="ArchiverLagReport.IsBehind"/>). Updated by <see cref="IngestBackpressureMonitor"/>; read per request.
/// When the reports cannot be read the gate opens (<see cref="Open"/>): ingest does not depend on PostgreSQL answering,
/// and the archiver's own health and log still say it is behind.
/// </summary>
public sealed class IngestGate
{
    private volatile IReadOnlyDictionary<string, ArchiverLagReport> _closed = new Dictionary<string, ArchiverLagReport>(StringComparer.Ordinal);

    /// <summary>The topics refused now, each with its worst report.</summary>
    public IReadOnlyDictionary<string, ArchiverLagReport> Closed => _closed;

    /// <summary>Closes the topics with a report beyond its limit and opens the others.</summary>
    public void Update(IEnumerable<ArchiverLagReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        _closed = reports
            .Where(r => r.IsBehind)
            .GroupBy(r => r.Topic, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.Lag - r.MaxLag)!, StringComparer.Ordinal);
    }

    /// <summary>Opens every topic.</summary>
    public void Open() => Update([]);

    /// <summary>Whether ingest into <paramref name="topic"/> is refused, and the report why.</summary>
    public bool IsClosed(string topic, out ArchiverLagReport behind) => _closed.TryGetValue(topic, out behind!);
}
