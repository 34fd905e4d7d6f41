using System.Collections.Concurrent;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;
using Lambda.Shared.Time;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// An in-memory speed-table store with the same contract as ClickHouse (one insert = all rows or none),
/// recording every insert, with failure injection: an insert may fail before it is stored, or after (the
/// ambiguous case of a lost answer).
/// </summary>
internal sealed class FakeSpeedViewStore : ISpeedViewStore
{
    private readonly ConcurrentDictionary<string, List<StoredInsert>> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<InsertFailure> _failures = new();

    /// <summary>Every successful insert, in order, per table.</summary>
    public IReadOnlyList<StoredInsert> Inserts(ViewDefinition view) =>
        _tables.TryGetValue(SpeedTableSchema.TableNameOf(view), out var inserts) ? Snapshot(inserts) : [];

    /// <summary>Calls of the bounded max-offset query.</summary>
    public int BoundedQueries { get; private set; }

    /// <summary>Insert attempts, failed ones included.</summary>
    public int InsertAttempts { get; private set; }

    /// <summary>The next inserts fail as given, one failure per insert, in order.</summary>
    public void FailNextInserts(params InsertFailure[] failures)
    {
        foreach (var failure in failures)
        {
            _failures.Enqueue(failure);
        }
    }

    /// <summary>Stores an insert as another writer would (bypassing the pipeline).</summary>
    public void StoreForeign(ViewDefinition view, params SpeedPartitionDelta[] deltas) => Store(view, deltas);

    public Task<IReadOnlyList<SpeedTableVersion>> EnsureSchemaAsync(IEnumerable<ViewDefinition> views, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SpeedTableVersion>>(views
            .Select(v => new SpeedTableVersion(v.Name, SpeedTableSchema.VersionOf(v), SpeedTableSchema.TableNameOf(v), null, null))
            .ToArray());

    public Task InsertAsync(ViewDefinition view, IReadOnlyList<SpeedPartitionDelta> deltas, DateTime flushedAtUtc, CancellationToken cancellationToken)
    {
        InsertAttempts++;
        foreach (var delta in deltas)
        {
            delta.Validate();
        }

        Assert.Equal(deltas.Count, deltas.Select(d => d.Partition).Distinct().Count());
        var failure = _failures.TryDequeue(out var f) ? f : InsertFailure.None;
        if (failure == InsertFailure.AfterStoring)
        {
            Store(view, deltas);
        }

        if (failure != InsertFailure.None)
        {
            throw new ClickHouseException(ClickHouseFailureKind.Timeout, $"injected {failure} failure");
        }

        Store(view, deltas);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<int, long>>(Rows(view)
            .GroupBy(r => r.Partition)
            .ToDictionary(g => g.Key, g => g.Max(r => r.LastOffset)));

    public Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsAsync(ViewDefinition view, IReadOnlyDictionary<int, long?> from, CancellationToken cancellationToken)
    {
        BoundedQueries++;
        return Task.FromResult<IReadOnlyDictionary<int, long>>(Rows(view)
            .Where(r => from.TryGetValue(r.Partition, out var bound) && (bound is null || r.LastOffset >= bound))
            .GroupBy(r => r.Partition)
            .ToDictionary(g => g.Key, g => g.Max(r => r.LastOffset)));
    }

    public Task<IReadOnlyDictionary<int, IReadOnlyList<long>>> GetFlushBoundariesAsync(ViewDefinition view, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<int, IReadOnlyList<long>>>(Rows(view)
            .GroupBy(r => r.Partition)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<long>)g.Select(r => r.LastOffset + 1).Distinct().Order().ToArray()));

    public Task<IReadOnlyDictionary<int, long>> GetWatermarksAsync(
        ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken)
    {
        var rows = Rows(view).ToArray();
        return Task.FromResult<IReadOnlyDictionary<int, long>>(limits.ToDictionary(
            l => l.Key,
            l => rows.Where(r => r.Partition == l.Key && r.LastOffset + 1 <= l.Value).Select(r => r.LastOffset + 1).DefaultIfEmpty(0).Max()));
    }

    public Task<long> ReadIntoAsync(ViewAggregator target, TimeRange? range, IReadOnlyDictionary<int, long>? watermarks, CancellationToken cancellationToken)
    {
        long count = 0;
        foreach (var row in Rows(target.View))
        {
            if (row.Kind != SpeedRowKind.Delta
                || (range is { } r && (row.Bucket < r.StartMilliseconds || row.Bucket >= r.EndMilliseconds))
                || (watermarks is not null && watermarks.TryGetValue(row.Partition, out var s) && row.FirstOffset < s))
            {
                continue;
            }

            target.MergeGroup(row.Bucket, row.Dimensions, row.States!);
            count++;
        }

        return Task.FromResult(count);
    }

    public Task<long> ReadRangesIntoAsync(
        ViewAggregator target, TimeRange? range, IReadOnlyDictionary<int, SpeedOffsetRange> offsets, IReadOnlyList<SpeedDimensionFilter> filters, CancellationToken cancellationToken)
    {
        var matcher = filters.Count == 0 ? null : filters;
        long count = 0;
        foreach (var row in Rows(target.View))
        {
            if (row.Kind != SpeedRowKind.Delta
                || (range is { } r && (row.Bucket < r.StartMilliseconds || row.Bucket >= r.EndMilliseconds))
                || !offsets.TryGetValue(row.Partition, out var o) || row.FirstOffset < o.From || row.LastOffset >= o.To
                || (matcher is not null && !matcher.All(f => f.Values.Contains(row.Dimensions[f.DimensionIndex]))))
            {
                continue;
            }

            target.MergeGroup(row.Bucket, row.Dimensions, row.States!);
            count++;
        }

        return Task.FromResult(count);
    }

    public Task DeleteCoveredDeltasAsync(ViewDefinition view, IReadOnlyDictionary<int, long> watermarks, CancellationToken cancellationToken)
    {
        var inserts = _tables.GetOrAdd(SpeedTableSchema.TableNameOf(view), _ => []);
        lock (inserts)
        {
            for (var i = 0; i < inserts.Count; i++)
            {
                inserts[i] = new StoredInsert(inserts[i].Rows
                    .Where(r => !watermarks.TryGetValue(r.Partition, out var s) || r.LastOffset + 1 >= s).ToArray());
            }
        }

        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<ViewGroup>> ReadGroupsAsync(
        ViewDefinition view, TimeRange? range, IReadOnlyDictionary<int, long>? watermarks, CancellationToken cancellationToken)
    {
        var aggregator = new ViewAggregator(view);
        await ReadIntoAsync(aggregator, range, watermarks, cancellationToken);
        return aggregator.GetSortedGroups();
    }

    private static IReadOnlyList<StoredInsert> Snapshot(List<StoredInsert> inserts)
    {
        lock (inserts)
        {
            return inserts.ToArray();
        }
    }

    private IEnumerable<StoredRow> Rows(ViewDefinition view) => Inserts(view).SelectMany(i => i.Rows);

    private void Store(ViewDefinition view, IReadOnlyList<SpeedPartitionDelta> deltas)
    {
        var rows = new List<StoredRow>();
        foreach (var delta in deltas)
        {
            if (delta.Groups.Count == 0)
            {
                rows.Add(new StoredRow(SpeedRowKind.Marker, delta.Partition, delta.FirstOffset, delta.LastOffset, 0, [], null));
                continue;
            }

            rows.AddRange(delta.Groups.Select(g => new StoredRow(
                SpeedRowKind.Delta, delta.Partition, delta.FirstOffset, delta.LastOffset, g.BucketStartMilliseconds, g.Dimensions.ToArray(), g.SerializeStates())));
        }

        var inserts = _tables.GetOrAdd(SpeedTableSchema.TableNameOf(view), _ => []);
        lock (inserts)
        {
            inserts.Add(new StoredInsert(rows));
        }
    }
}
