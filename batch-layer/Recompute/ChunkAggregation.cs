using Lambda.Shared.Lookups;
using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Aggregates the master-dataset files of some days of one source into every planned view of that source,
/// with the shared <see cref="ViewAggregator"/> (the speed layer's code, so states are identical). Files are
/// read in parallel (every worker owns a record, a column batch and one aggregator per view; files of all
/// partitions are interleaved, largest first) and the workers' aggregators are merged at the end. Each file
/// is read once for all views: only the columns the views use, and per view only the rows below its
/// watermark of the file's partition.
/// </summary>
internal sealed class ChunkAggregation
{
    private readonly MasterDatasetSnapshot _snapshot;
    private readonly MasterFileSchema _schema;
    private readonly IReadOnlyList<ViewPlan> _plans;
    private readonly FieldDefinition[] _fields;

    private readonly LookupSnapshot _lookups;

    public ChunkAggregation(MasterDatasetSnapshot snapshot, MasterFileSchema schema, IReadOnlyList<ViewPlan> plans, LookupSnapshot? lookups = null)
    {
        _lookups = lookups ?? LookupSnapshot.Empty;
        _snapshot = snapshot;
        _schema = schema;
        _plans = plans;
        // Derived fields are never archived: the views' derived values are computed from the declared fields they read.
        _fields = plans.SelectMany(p => p.View.RawInputFields)
            .Distinct()
            .OrderBy(f => f.Ordinal)
            .ToArray();
    }

    /// <summary>The work of <paramref name="days"/>: files with at least one view that needs rows of them, largest first.</summary>
    public IReadOnlyList<FileWork> SelectFiles(IReadOnlySet<DateOnly> days)
    {
        var work = new List<FileWork>();
        foreach (var file in _snapshot.Files)
        {
            var fileDays = file.EventDays.Where(d => days.Contains(d.Date)).ToArray();
            if (fileDays.Length == 0)
            {
                continue;
            }

            var limits = new long[_plans.Count];
            var any = false;
            for (var v = 0; v < _plans.Count; v++)
            {
                var plan = _plans[v];
                var watermark = plan.GetWatermark(file.Partition);
                var wanted = fileDays.Where(d => plan.ComputeDays.Contains(d.Date)).ToArray();
                // -1: skip the file for this view; long.MaxValue: every row counts; otherwise rows need offset < limit.
                // Rows of days the view does not recompute may be aggregated too: only its recomputed days are written.
                limits[v] = wanted.Length == 0 || wanted.Min(d => d.MinOffset) >= watermark ? -1
                    : file.MaxOffset < watermark ? long.MaxValue
                    : watermark;
                any |= limits[v] >= 0;
            }

            if (any)
            {
                // Only the row groups of the chunk's days are read: a flush file's other days belong to other chunks.
                work.Add(new FileWork(file, limits, fileDays.Length == file.EventDays.Count ? null : fileDays.Select(d => d.Date).ToHashSet()));
            }
        }

        work.Sort((a, b) => b.File.Rows.CompareTo(a.File.Rows));
        return work;
    }

    /// <summary>Aggregates <paramref name="work"/> with <paramref name="parallelism"/> workers; one merged aggregator per plan.</summary>
    public async Task<(ViewAggregator[] Aggregates, long RowsRead)> RunAsync(
        IReadOnlyList<FileWork> work, int parallelism, Action<DatasetFile, long> onFileDone, CancellationToken cancellationToken)
    {
        var workers = new Worker[Math.Max(1, Math.Min(parallelism, work.Count))];
        var next = -1;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Task[workers.Length];
        for (var w = 0; w < workers.Length; w++)
        {
            var worker = workers[w] = new Worker(this);
            tasks[w] = Task.Run(
                async () =>
                {
                    try
                    {
                        for (var i = Interlocked.Increment(ref next); i < work.Count; i = Interlocked.Increment(ref next))
                        {
                            failed.Token.ThrowIfCancellationRequested();
                            var rows = await worker.ProcessAsync(work[i], failed.Token).ConfigureAwait(false);
                            onFileDone(work[i].File, rows);
                        }
                    }
                    catch
                    {
                        await failed.CancelAsync().ConfigureAwait(false);
                        throw;
                    }
                },
                CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A worker failed and cancelled the others: surface the failure, not the cancellations.
            throw tasks.Select(t => t.Exception?.InnerException).First(e => e is not null and not OperationCanceledException)!;
        }

        var merged = new ViewAggregator[_plans.Count];
        for (var v = 0; v < merged.Length; v++)
        {
            foreach (var worker in workers)
            {
                var aggregator = worker.Aggregators[v];
                if (aggregator is null)
                {
                    continue;
                }

                if (merged[v] is null)
                {
                    merged[v] = aggregator;
                }
                else
                {
                    merged[v].Merge(aggregator);
                }
            }

            merged[v] ??= new ViewAggregator(_plans[v].View);
        }

        return (merged, workers.Sum(w => w.RowsRead));
    }

    /// <summary>
    /// One file and, per plan, which of its rows count (-1 none, <see cref="long.MaxValue"/> all, else offsets below the
    /// value); <paramref name="Days"/>: the only days whose rows are read (null: every day of the file).
    /// </summary>
    internal sealed record FileWork(DatasetFile File, long[] Limits, IReadOnlySet<DateOnly>? Days = null);

    private sealed class Worker
    {
        private readonly ChunkAggregation _owner;
        private readonly MasterRowBatch _batch;
        private readonly EventRecord _record;
        private readonly int[] _active;
        private readonly long[] _limits;

        public Worker(ChunkAggregation owner)
        {
            _owner = owner;
            _batch = new MasterRowBatch(owner._schema, owner._fields);
            // The run's lookup versions, read once at its start: every worker joins the same rows.
            _record = new EventRecord(owner._schema.Source) { Lookups = owner._lookups };
            Aggregators = new ViewAggregator?[owner._plans.Count];
            _active = new int[owner._plans.Count];
            _limits = new long[owner._plans.Count];
        }

        public ViewAggregator?[] Aggregators { get; }

        public long RowsRead { get; private set; }

        public async Task<long> ProcessAsync(FileWork work, CancellationToken cancellationToken)
        {
            var count = 0;
            var partial = false;
            for (var v = 0; v < work.Limits.Length; v++)
            {
                if (work.Limits[v] >= 0)
                {
                    _active[count] = v;
                    _limits[count] = work.Limits[v];
                    partial |= work.Limits[v] != long.MaxValue;
                    Aggregators[v] ??= new ViewAggregator(_owner._plans[v].View);
                    count++;
                }
            }

            _batch.LoadPositions = partial;
            var days = work.Days;
            var rows = await MasterFileReader.ReadAsync(
                    _owner._snapshot.GetPath(work.File),
                    _batch,
                    batch => Aggregate(batch, count, partial),
                    cancellationToken,
                    days is null ? null : (min, max) => days.Any(d => UtcDay.Overlaps(d, min, max)))
                .ConfigureAwait(false);
            RowsRead += rows;
            return rows;
        }

        private void Aggregate(MasterRowBatch batch, int activeCount, bool partial)
        {
            var offsets = partial ? batch.Offsets : default;
            var aggregators = Aggregators;
            for (var row = 0; row < batch.Count; row++)
            {
                if (!partial)
                {
                    batch.Fill(row, _record);
                    for (var a = 0; a < activeCount; a++)
                    {
                        aggregators[_active[a]]!.Add(_record);
                    }

                    continue;
                }

                var filled = false;
                var offset = offsets[row];
                for (var a = 0; a < activeCount; a++)
                {
                    if (offset < _limits[a])
                    {
                        if (!filled)
                        {
                            batch.Fill(row, _record);
                            filled = true;
                        }

                        aggregators[_active[a]]!.Add(_record);
                    }
                }
            }
        }
    }
}
