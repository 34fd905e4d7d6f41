using Lambda.Shared.Lookups;
using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Aggregates the master-dataset files of some days of one source into every planned view of that source,
/// with the shared <see cref="ViewAggregator"/> (the speed layer's code, so states are identical), one
/// aggregation per view and day. Files are read in parallel (every worker owns a record, a column batch and
/// its aggregators; files of all partitions are interleaved, largest first) and the workers' aggregators are
/// merged at the end. Each file is opened once for all views and days: only the columns the views use, only
/// the row groups of the days, and each row goes to the aggregation of its own day for every view that
/// recomputes that day and takes the row (below its watermark of the file's partition). So a view-day's
/// aggregate depends only on that day's rows, never on which other days or views were aggregated with it.
/// </summary>
internal sealed class ChunkAggregation
{
    private readonly MasterDatasetSnapshot _snapshot;
    private readonly MasterFileSchema _schema;
    private readonly IReadOnlyList<ViewPlan> _plans;
    private readonly FieldDefinition[] _fields;
    private readonly LookupSnapshot _lookups;

    // The union of the plans' days, ascending, as their first millisecond; per plan, whether it recomputes each of them.
    private readonly DateOnly[] _days;
    private readonly long[] _dayStarts;
    private readonly bool[][] _computes;

    public ChunkAggregation(MasterDatasetSnapshot snapshot, MasterFileSchema schema, IReadOnlyList<ViewPlan> plans, LookupSnapshot? lookups = null)
    {
        _lookups = lookups ?? LookupSnapshot.Empty;
        _snapshot = snapshot;
        _schema = schema;
        _plans = plans;
        _days = plans.SelectMany(p => p.ComputeDays).Distinct().Order().ToArray();
        _dayStarts = _days.Select(UtcDay.Start).ToArray();
        _computes = plans.Select(p => _days.Select(p.ComputeDays.Contains).ToArray()).ToArray();
        // Derived fields are never archived: the views' derived values are computed from the declared fields they read.
        _fields = plans.SelectMany(p => p.View.RawInputFields)
            .Distinct()
            .OrderBy(f => f.Ordinal)
            .ToArray();
    }

    /// <summary>The days aggregated (the union of the plans' <see cref="ViewPlan.ComputeDays"/>), ascending: the second index of the aggregates.</summary>
    public IReadOnlyList<DateOnly> Days => _days;

    /// <summary>The work of the plans' days: files with at least one view that needs rows of them, largest first.</summary>
    public IReadOnlyList<FileWork> SelectFiles()
    {
        var days = _days.ToHashSet();
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
                // Only the row groups of the claimed days are read: a flush file's other days belong to other claims.
                work.Add(new FileWork(file, limits, fileDays.Length == file.EventDays.Count ? null : fileDays.Select(d => d.Date).ToHashSet()));
            }
        }

        work.Sort((a, b) => b.File.Rows.CompareTo(a.File.Rows));
        return work;
    }

    /// <summary>
    /// Aggregates <paramref name="work"/> with <paramref name="parallelism"/> workers; one merged aggregator per plan and
    /// day of <see cref="Days"/> (<c>Aggregates[plan][day]</c>), empty for a day the plan does not recompute.
    /// </summary>
    public async Task<(ViewAggregator[][] Aggregates, long RowsRead)> RunAsync(
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

        var merged = new ViewAggregator[_plans.Count][];
        for (var v = 0; v < merged.Length; v++)
        {
            merged[v] = new ViewAggregator[_days.Length];
            for (var d = 0; d < _days.Length; d++)
            {
                foreach (var worker in workers)
                {
                    var aggregator = worker.Aggregators[v][d];
                    if (aggregator is null)
                    {
                        continue;
                    }

                    if (merged[v][d] is null)
                    {
                        merged[v][d] = aggregator;
                    }
                    else
                    {
                        merged[v][d].Merge(aggregator);
                    }
                }

                merged[v][d] ??= new ViewAggregator(_plans[v].View);
            }
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

        // The day of the last row looked up (rows of a flush file come sorted by event time): its first millisecond and index.
        private long _dayStart = long.MinValue / 2;
        private int _dayIndex = -1;

        public Worker(ChunkAggregation owner)
        {
            _owner = owner;
            _batch = new MasterRowBatch(owner._schema, owner._fields);
            // The run's lookup versions, read once at its start: every worker joins the same rows.
            _record = new EventRecord(owner._schema.Source) { Lookups = owner._lookups };
            Aggregators = owner._plans.Select(_ => new ViewAggregator?[owner._days.Length]).ToArray();
            _active = new int[owner._plans.Count];
            _limits = new long[owner._plans.Count];
        }

        /// <summary>Per plan and day (of <see cref="ChunkAggregation.Days"/>) this worker's aggregator; null until a row came.</summary>
        public ViewAggregator?[][] Aggregators { get; }

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
            var times = batch.EventTimes;
            var computes = _owner._computes;
            for (var row = 0; row < batch.Count; row++)
            {
                var day = DayIndex(times[row]);
                if (day < 0)
                {
                    // A day of the file that this claim does not recompute (a row group overlapping a claimed day, or a day
                    // of a view's plan only): another claim counts it.
                    continue;
                }

                var filled = false;
                for (var a = 0; a < activeCount; a++)
                {
                    var v = _active[a];
                    if (!computes[v][day] || (partial && offsets[row] >= _limits[a]))
                    {
                        continue;
                    }

                    if (!filled)
                    {
                        batch.Fill(row, _record);
                        filled = true;
                    }

                    (Aggregators[v][day] ??= new ViewAggregator(_owner._plans[v].View)).Add(_record);
                }
            }
        }

        // The index in Days of the UTC day of an event time; -1 when it is not a day of the claim.
        private int DayIndex(long eventTime)
        {
            if (eventTime - _dayStart is < 0 or >= GranularityExtensions.DayMilliseconds)
            {
                _dayStart = TimeBucket.Floor(eventTime, Granularity.Day);
                var index = Array.BinarySearch(_owner._dayStarts, _dayStart);
                _dayIndex = index >= 0 ? index : -1;
            }

            return _dayIndex;
        }
    }
}
