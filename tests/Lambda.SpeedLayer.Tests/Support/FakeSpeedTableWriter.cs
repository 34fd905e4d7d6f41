using System.Collections.Concurrent;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Storage;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// An in-memory speed-table writer with the same contract as ClickHouse (one insert = all rows or none),
/// recording every insert, with failure injection: an insert may fail before it is stored, or after (the
/// ambiguous case of a lost answer).
/// </summary>
internal sealed class FakeSpeedTableWriter : ISpeedTableWriter
{
    private readonly ConcurrentDictionary<string, List<StoredInsert>> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<InsertFailure> _failures = new();

    /// <summary>Every successful insert, in order, per table.</summary>
    public IReadOnlyList<StoredInsert> Inserts(ViewDefinition view) =>
        _tables.TryGetValue(SpeedTableSchema.TableNameOf(view), out var inserts) ? Snapshot(inserts) : [];

    private int _boundedQueries;
    private int _insertAttempts;

    /// <summary>Calls of the bounded max-offset query.</summary>
    public int BoundedQueries => Volatile.Read(ref _boundedQueries);

    /// <summary>Insert attempts, failed ones included (the views' inserts run concurrently, so counted atomically).</summary>
    public int InsertAttempts => Volatile.Read(ref _insertAttempts);

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
        Interlocked.Increment(ref _insertAttempts);
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
        Interlocked.Increment(ref _boundedQueries);
        return Task.FromResult<IReadOnlyDictionary<int, long>>(Rows(view)
            .Where(r => from.TryGetValue(r.Partition, out var bound) && (bound is null || r.LastOffset >= bound))
            .GroupBy(r => r.Partition)
            .ToDictionary(g => g.Key, g => g.Max(r => r.LastOffset)));
    }

    public Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsBeforeInsertAsync(ViewDefinition view, IReadOnlyDictionary<int, long?> from, CancellationToken cancellationToken) =>
        GetMaxOffsetsAsync(view, from, cancellationToken);

    /// <summary>The fences written so far (the fake's reads do not apply them: no test of the fake takes tokens).</summary>
    public List<SpeedFence> Fences { get; } = [];

    public Task WriteFencesAsync(ViewDefinition view, IReadOnlyList<SpeedFence> fences, CancellationToken cancellationToken)
    {
        lock (Fences)
        {
            Fences.AddRange(fences);
        }

        return Task.CompletedTask;
    }

    /// <summary>What the fake holds for <paramref name="view"/>: its delta rows merged per (bucket, dimensions), in key order.</summary>
    public IReadOnlyList<ViewGroup> ReadGroups(ViewDefinition view)
    {
        var aggregator = new ViewAggregator(view);
        foreach (var row in Rows(view).Where(r => r.Kind == SpeedRowKind.Delta))
        {
            aggregator.MergeGroup(row.Bucket, row.Dimensions, row.States!);
        }

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
