using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;

namespace Lambda.BatchLayer.Dataset;

/// <summary>
/// Merges runs of small commits of one source's master dataset (flush files of the archiver, day files of earlier
/// compactions, hour files of earlier builds) into compaction records with one day file per UTC date, holding exactly
/// the same rows, each file sorted by event time. Its cost is proportional to the rows of the run, not to the files or
/// the days they touch: each file rewritten is read once, whole, its rows routed into one buffer per day (memory: at
/// most the run's rows, bounded by <c>Batch:Compaction:MaxEventsPerRecord</c>), and each day is written once. It writes
/// each merged file under its final name plus <see cref="MasterDatasetLayout.CompactingSuffix"/> (a day held by a single
/// day file, and no other file, keeps that file as it is: its merged name would be the same), then hands the record and
/// the run to the commit log's <see cref="IMasterCommitLog.ReplaceAsync"/>, which makes the swap atomic for readers
/// (<see cref="MasterDatasetSnapshot"/> sees the old commits or the new record, never both, never neither) and safe
/// against a kill at any moment: on the local kind a record written first and counting once its files are renamed
/// into place (<see cref="CommitLog"/>), on the s3 kind objects uploaded under fresh keys and one PostgreSQL transaction
/// that supersedes the run's rows and inserts the record's (<see cref="ObjectStoreCommitLog"/>).
/// <see cref="RecoverAsync"/> finishes or discards what a killed compaction left. Only one compactor may run per source
/// at a time (the batch layer runs it under the recompute lock); the archiver may run beside it: a compaction takes
/// only commits whose files are in place, and the archiver's recovery leaves compaction records and their files alone.
/// </summary>
public sealed class MasterDatasetCompactor
{
    private readonly MasterFileSchema _schema;
    private readonly MasterFileWriter _files;
    private readonly TimeProvider _time;
    private readonly IMasterCommitLog _log;
    private Action<string>? _afterStep;

    /// <summary>Creates a compactor of <paramref name="source"/> under the local dataset root <paramref name="root"/>.</summary>
    /// <param name="root">The dataset root.</param>
    /// <param name="source">The source.</param>
    /// <param name="flushToDisk">Whether merged files and records are flushed to disk before they become visible.</param>
    /// <param name="rowGroupSize">Rows at most per Parquet row group of day files (the default of <c>Batch:Compaction:RowGroupSize</c>).</param>
    /// <param name="time">Clock for the commits' age and the records' timestamps.</param>
    public MasterDatasetCompactor(string root, SourceDefinition source, bool flushToDisk = true, int rowGroupSize = 100_000, TimeProvider? time = null)
        : this(new CommitLog(root, source?.Name ?? throw new ArgumentNullException(nameof(source))), source, flushToDisk, rowGroupSize, time)
    {
    }

    /// <summary>Creates a compactor of <paramref name="source"/> whose commits are in <paramref name="log"/> (either storage kind).</summary>
    /// <param name="log">The source's commit log.</param>
    /// <param name="source">The source.</param>
    /// <param name="flushToDisk">Whether merged files and records are flushed to disk before they become visible.</param>
    /// <param name="rowGroupSize">Rows at most per Parquet row group of day files (the default of <c>Batch:Compaction:RowGroupSize</c>).</param>
    /// <param name="time">Clock for the commits' age and the records' timestamps.</param>
    public MasterDatasetCompactor(IMasterCommitLog log, SourceDefinition source, bool flushToDisk = true, int rowGroupSize = 100_000, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupSize, 1);
        if (!string.Equals(log.Source, source.Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the commit log is of source '{log.Source}', not '{source.Name}'", nameof(log));
        }

        _log = log;
        _schema = new MasterFileSchema(source);
        _files = new MasterFileWriter { RowGroupSize = rowGroupSize };
        FlushToDisk = flushToDisk;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The source's commit log.</summary>
    public IMasterCommitLog Log => _log;

    /// <summary>Whether files are flushed to disk.</summary>
    public bool FlushToDisk { get; }

    /// <summary>Called after every step that changes the dataset on disk, with its description (crash tests stop there).</summary>
    internal Action<string>? AfterStep
    {
        get => _afterStep;
        set
        {
            _afterStep = value;
            if (_log is CommitLog local)
            {
                // The local log's own steps (record, renames, deletions) are where a kill matters most.
                local.AfterStep = value;
            }
        }
    }

    /// <summary>
    /// Finishes or discards what killed compactions left (<see cref="IMasterCommitLog.RecoverCompactionsAsync"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">A compaction record names a file that exists nowhere.</exception>
    public Task<CompactionRecovery> RecoverAsync(CancellationToken cancellationToken) => _log.RecoverCompactionsAsync(cancellationToken);

    /// <summary>
    /// The runs of commits a compaction would merge now: per partition, among the commits in force whose
    /// files are in place and which were written at least <paramref name="minAge"/> ago (a prefix of the
    /// chain), consecutive commits grouped greedily up to <paramref name="maxEventsPerRecord"/> valid events;
    /// runs of a single commit are left alone.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<DatasetCommit>>> PlanAsync(TimeSpan minAge, long maxEventsPerRecord, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minAge, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventsPerRecord, 1);
        var cutoff = _time.GetUtcNow() - minAge;
        var runs = new List<IReadOnlyList<DatasetCommit>>();
        var commits = await _log.ReadCommitsAsync(null, cancellationToken).ConfigureAwait(false);
        foreach (var partition in commits.GroupBy(c => c.Partition))
        {
            var chain = CommitChain.Resolve(partition, FilesInPlace);
            CommitLog.CheckChain(chain);
            var run = new List<DatasetCommit>();
            long events = 0;
            foreach (var commit in chain)
            {
                if (commit.CreatedAt > cutoff || !FilesInPlace(commit))
                {
                    break;
                }

                // A compaction record covers one offset range: never across the start of an offset epoch.
                if (run.Count > 0 && (events + commit.ValidEvents > maxEventsPerRecord || commit.FirstOffset != run[^1].LastOffset + 1))
                {
                    AddRun(runs, run);
                    run = [];
                    events = 0;
                }

                run.Add(commit);
                events += commit.ValidEvents;
            }

            AddRun(runs, run);
        }

        return runs;
    }

    /// <summary>
    /// Recovers interrupted compactions, then compacts every run of <see cref="PlanAsync"/>.
    /// </summary>
    public async Task<CompactionResult> CompactAsync(TimeSpan minAge, long maxEventsPerRecord, CancellationToken cancellationToken)
    {
        var recovery = await RecoverAsync(cancellationToken).ConfigureAwait(false);

        // Also brings every file of the snapshot under the local root (the s3 kind's copies), so the runs planned are in place.
        var filesBefore = (await _log.LoadSnapshotAsync(cancellationToken).ConfigureAwait(false)).Files.Count;
        int superseded = 0, written = 0, files = 0, read = 0;
        long rows = 0;
        foreach (var run in await PlanAsync(minAge, maxEventsPerRecord, cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (_, merged, mergedRows, filesRead) = await CompactRunAsync(run, cancellationToken).ConfigureAwait(false);
            read += filesRead;
            superseded += run.Count;
            written++;
            files += merged;
            rows += mergedRows;
        }

        var filesAfter = (await _log.LoadSnapshotAsync(cancellationToken).ConfigureAwait(false)).Files.Count;
        return new CompactionResult(Log.Source, recovery, superseded, written, filesBefore, filesAfter, files, rows, read);
    }

    /// <summary>Replaces <paramref name="run"/> (consecutive commits of one partition, in force, files in place) by one compaction record.</summary>
    internal async Task<(DatasetCommit Record, int FilesWritten, long RowsWritten, int FilesRead)> CompactRunAsync(IReadOnlyList<DatasetCommit> run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Count < 2)
        {
            throw new ArgumentException("a compaction merges at least two commits", nameof(run));
        }

        var partition = run[0].Partition;
        var inputs = run.SelectMany(c => c.Files).ToList();
        var files = new List<DatasetFile>();

        // A day held by a single day file (and nothing else) keeps that file (its merged name would be the same);
        // every other day is merged from the rows of every file that touches it.
        var merging = new SortedDictionary<DateOnly, long>();
        foreach (var day in inputs.SelectMany(f => f.EventDays.Select(d => (d.Date, d.Rows, File: f))).GroupBy(d => d.Date))
        {
            if (day.Count() == 1 && day.Single().File.Kind == DatasetFileKind.Day)
            {
                files.Add(day.Single().File);
            }
            else
            {
                merging.Add(day.Key, day.Sum(d => d.Rows));
            }
        }

        var read = inputs.Where(f => f.EventDays.Any(d => merging.ContainsKey(d.Date))).ToList();
        var days = await RouteByDayAsync(partition, read, merging, cancellationToken).ConfigureAwait(false);
        var written = 0;
        long rows = 0;
        foreach (var day in merging.Keys)
        {
            var merged = await WriteDayAsync(partition, day, days[day], cancellationToken).ConfigureAwait(false);
            days.Remove(day);
            files.Add(merged);
            written++;
            rows += merged.Rows;
            AfterStep?.Invoke($"wrote {merged.Path}{MasterDatasetLayout.CompactingSuffix}");
        }

        files.Sort((a, b) => Nullable.Compare(a.Date, b.Date));

        var record = new DatasetCommit
        {
            FormatVersion = DatasetCommit.CompactionFormatVersion,
            Source = _log.Source,
            Partition = partition,
            FirstOffset = run[0].FirstOffset,
            LastOffset = run[^1].LastOffset,
            ValidEvents = run.Sum(c => c.ValidEvents),
            InvalidEvents = run.Sum(c => c.InvalidEvents),
            CreatedAt = _time.GetUtcNow(),
            Files = files,
            Supersedes = run.Select(c => c.FileName).ToArray(),
        };
        await _log.ReplaceAsync(record, run, FlushToDisk, cancellationToken).ConfigureAwait(false);
        return (record, written, rows, read.Count);
    }

    private static void AddRun(List<IReadOnlyList<DatasetCommit>> runs, List<DatasetCommit> run)
    {
        if (run.Count >= 2)
        {
            runs.Add(run);
        }
    }

    private bool FilesInPlace(DatasetCommit commit) =>
        commit.Files.All(f => File.Exists(MasterDatasetLayout.Resolve(_log.Root, f.Path)));

    /// <summary>
    /// Reads each of <paramref name="parts"/> once, whole, and routes its rows into one buffer per UTC day of
    /// <paramref name="days"/> (sized by the rows the commit records list), checking every row against its file's record.
    /// </summary>
    private async Task<Dictionary<DateOnly, MasterRowBuffer>> RouteByDayAsync(
        int partition, List<DatasetFile> parts, SortedDictionary<DateOnly, long> days, CancellationToken cancellationToken)
    {
        var buffers = days.ToDictionary(d => d.Key, d => new MasterRowBuffer(_schema.Source, (int)Math.Clamp(d.Value, 1, Array.MaxLength)));
        var batch = new MasterRowBatch(_schema);
        var record = new EventRecord(_schema.Source);
        foreach (var part in parts)
        {
            var path = MasterDatasetLayout.Resolve(_log.Root, part.Path);
            var taken = new Dictionary<DateOnly, long>();
            var day = default(DateOnly);
            long dayStart = 0, dayEnd = 0;
            MasterRowBuffer? buffer = null;
            await MasterFileReader.ReadAsync(path, batch, b =>
            {
                var offsets = b.Offsets;
                var partitions = b.Partitions;
                var times = b.EventTimes;
                for (var i = 0; i < b.Count; i++)
                {
                    if (partitions[i] != partition || offsets[i] < part.MinOffset || offsets[i] > part.MaxOffset)
                    {
                        throw new InvalidDataException($"'{path}' holds partition {partitions[i]} offset {offsets[i]}, outside what its commit record says");
                    }

                    // Rows mostly come in runs of one day (flush and day files are sorted by event time): look the day up once per run.
                    if (buffer is null || times[i] < dayStart || times[i] >= dayEnd)
                    {
                        day = UtcDay.Of(times[i]);
                        if (!buffers.TryGetValue(day, out buffer))
                        {
                            throw new InvalidDataException($"'{path}' holds a row on {Format(day)}, a day its commit record does not list");
                        }

                        dayStart = UtcDay.Start(day);
                        dayEnd = dayStart + GranularityExtensions.DayMilliseconds;
                    }

                    b.Fill(i, record);
                    buffer.Append(record, partition, offsets[i]);
                    taken[day] = taken.GetValueOrDefault(day) + 1;
                }
            }, cancellationToken).ConfigureAwait(false);
            foreach (var expected in part.EventDays)
            {
                if (taken.GetValueOrDefault(expected.Date) != expected.Rows)
                {
                    throw new InvalidDataException($"'{path}' holds {taken.GetValueOrDefault(expected.Date)} rows on {Format(expected.Date)}, its commit record says {expected.Rows}");
                }
            }

            if (taken.Keys.Any(d => part.EventDays.All(e => e.Date != d)))
            {
                throw new InvalidDataException($"'{path}' holds rows on days its commit record does not list");
            }
        }

        return buffers;
    }

    /// <summary>Writes one day's rows aside as a day file, sorted by event time (row groups of at most the row-group size, so their statistics are disjoint time ranges).</summary>
    private async Task<DatasetFile> WriteDayAsync(int partition, DateOnly day, MasterRowBuffer buffer, CancellationToken cancellationToken)
    {
        var offsets = buffer.Offsets.AsSpan(0, buffer.Count).ToArray();
        Array.Sort(offsets);
        for (var i = 1; i < offsets.Length; i++)
        {
            if (offsets[i] == offsets[i - 1])
            {
                throw new InvalidDataException($"partition {partition} offset {offsets[i]} is stored twice on {Format(day)}: the commits to compact overlap");
            }
        }

        buffer.SortByEventTime();
        var relative = MasterDatasetLayout.DayFile(_log.Source, day, partition, buffer.MinOffset, buffer.MaxOffset);
        var aside = MasterDatasetLayout.Resolve(_log.Root, relative) + MasterDatasetLayout.CompactingSuffix;
        await _files.WriteAsync(aside, _schema, buffer, FlushToDisk, cancellationToken).ConfigureAwait(false);
        return new DatasetFile(relative, partition, day, null, buffer.Count, buffer.MinOffset, buffer.MaxOffset, buffer.MinEventTime, buffer.MaxEventTime);
    }

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
