using Lambda.ServingLayer.Querying;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>
/// Speed tables in memory: flushes of (partition, first offset, last offset, events). A read returns, like the
/// ClickHouse table, the deltas of the flushes with first_offset &gt;= from[p] that the selection keeps, merged per
/// (bucket, dimensions) at the granularity asked for. Its first offsets per partition are the smallest first offset of the
/// view's flushes, like the table's <c>min(first_offset)</c>.
/// </summary>
internal sealed class FakeSpeedViewReader : ISpeedViewReader, ISpeedCoverageReader
{
    private readonly List<(ViewDefinition View, int Partition, long First, long Last, IReadOnlyList<OffsetEvent> Events)> _flushes = [];

    /// <summary>The start offsets of every read, in order.</summary>
    public List<IReadOnlyDictionary<int, long>> Reads { get; } = [];

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, long>> ReadFirstOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<int, long>>(_flushes
            .Where(f => f.View.DefinitionHash == view.DefinitionHash)
            .GroupBy(f => f.Partition)
            .ToDictionary(g => g.Key, g => g.Min(f => f.First)));

    /// <summary>Adds a flush of <paramref name="events"/> (all of one partition) covering [first, last].</summary>
    public void Flush(ViewDefinition view, int partition, long first, long last, IEnumerable<OffsetEvent> events)
    {
        var list = events.ToList();
        if (list.Any(e => e.Partition != partition || e.Offset < first || e.Offset > last))
        {
            throw new ArgumentException("a flush covers one partition and its offset range", nameof(events));
        }

        _flushes.Add((view, partition, first, last, list));
    }

    /// <summary>Splits the events of each partition into flushes at the given offsets (each cut starts a new flush).</summary>
    public void FlushAll(ViewDefinition view, IEnumerable<OffsetEvent> events, Func<int, IEnumerable<long>> cutsOfPartition)
    {
        foreach (var partition in events.GroupBy(e => e.Partition))
        {
            var ordered = partition.OrderBy(e => e.Offset).ToList();
            var last = ordered[^1].Offset;
            var bounds = cutsOfPartition(partition.Key).Where(c => c > 0 && c <= last).Append(0L).Append(last + 1).Distinct().Order().ToList();
            for (var i = 0; i + 1 < bounds.Count; i++)
            {
                var (first, end) = (bounds[i], bounds[i + 1]);
                Flush(view, partition.Key, first, end - 1, ordered.Where(e => e.Offset >= first && e.Offset < end));
            }
        }
    }

    public Task<SpeedViewRead> ReadAsync(
        ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> from, Granularity granularity, CancellationToken cancellationToken)
    {
        Reads.Add(from);
        var aggregator = new ViewAggregator(view, granularity);
        var next = new Dictionary<int, long>();
        foreach (var flush in _flushes.Where(f => f.View.DefinitionHash == view.DefinitionHash))
        {
            next[flush.Partition] = Math.Max(next.GetValueOrDefault(flush.Partition), flush.Last + 1);
            if (flush.First < from.GetValueOrDefault(flush.Partition))
            {
                continue;
            }

            foreach (var e in flush.Events)
            {
                aggregator.Add(e.Record);
            }
        }

        return Task.FromResult(new SpeedViewRead(aggregator.Drain().Where(selection.Matches).ToArray(), next));
    }
}
