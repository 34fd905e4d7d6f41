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
/// most the run's rows, bounded by <c>Batch:Compaction:MaxEventsPerRecord</c>), and each day is written once. The
/// protocol, safe against a kill at any
/// moment and invisible to readers (<see cref="MasterDatasetSnapshot"/> sees the old commits or the new
/// record, never both, never neither):
/// <list type="number">
/// <item>write each merged file under its final name plus <see cref="MasterDatasetLayout.CompactingSuffix"/>
/// (flushed); a day held by a single day file (and no other file) keeps that file as it is (its merged name
/// would be the same);</item>
/// <item>write the compaction record atomically: format version <see cref="DatasetCommit.CompactionFormatVersion"/>,
/// the union range, <see cref="DatasetCommit.Supersedes"/> naming the replaced records; it does not count yet
/// because its files are not in place;</item>
/// <item>rename the merged files into place; with the last rename the record counts instead of the replaced ones;</item>
/// <item>per replaced record, delete its data files the compaction record does not name, then the record.</item>
/// </list>
/// <see cref="Recover"/> rolls every compaction record forward (steps 3 and 4) and deletes the files of
/// compactions that never wrote their record. Only one compactor may run per source at a time (the batch
/// layer runs it under the recompute lock); the archiver may run beside it: a compaction takes only commits
/// whose files are in place, and the archiver's recovery leaves compaction records and their files alone.
/// </summary>
public sealed class MasterDatasetCompactor
{
    private readonly MasterFileSchema _schema;
    private readonly MasterFileWriter _files;
    private readonly TimeProvider _time;

    /// <summary>Creates a compactor of <paramref name="source"/> under the dataset root <paramref name="root"/>.</summary>
    /// <param name="root">The dataset root.</param>
    /// <param name="source">The source.</param>
    /// <param name="flushToDisk">Whether merged files and records are flushed to disk before they become visible.</param>
    /// <param name="rowGroupSize">Rows at most per Parquet row group of day files (the default of <c>Batch:Compaction:RowGroupSize</c>).</param>
    /// <param name="time">Clock for the commits' age and the records' timestamps.</param>
    public MasterDatasetCompactor(string root, SourceDefinition source, bool flushToDisk = true, int rowGroupSize = 100_000, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupSize, 1);
        Log = new CommitLog(root, source.Name);
        _schema = new MasterFileSchema(source);
        _files = new MasterFileWriter { RowGroupSize = rowGroupSize };
        FlushToDisk = flushToDisk;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The source's commit log.</summary>
    public CommitLog Log { get; }

    /// <summary>Whether files are flushed to disk.</summary>
    public bool FlushToDisk { get; }

    /// <summary>Called after every step that changes the dataset on disk, with its description (crash tests stop there).</summary>
    internal Action<string>? AfterStep { get; set; }

    /// <summary>
    /// Completes every interrupted compaction (renames its merged files into place, deletes what it
    /// superseded) and deletes the files of compactions that were killed before writing their record.
    /// </summary>
    /// <exception cref="InvalidDataException">A compaction record names a file that exists neither in place nor aside.</exception>
    public CompactionRecovery Recover()
    {
        var records = Log.ReadCommits();
        var gone = new HashSet<DatasetCommit>(ReferenceEqualityComparer.Instance);
        int finished = 0, rolledForward = 0, deleted = 0;

        // Outermost first: a compaction record may itself be superseded (partly deleted) by a later one.
        foreach (var compaction in records.Where(r => r.IsCompaction).OrderByDescending(r => r.LastOffset - r.FirstOffset))
        {
            if (gone.Contains(compaction))
            {
                continue;
            }

            var renamed = PublishFiles(compaction);
            var superseded = records.Where(r => compaction.Covers(r) && !gone.Contains(r)).ToList();
            foreach (var record in superseded)
            {
                DeleteSuperseded(compaction, record);
                gone.Add(record);
            }

            rolledForward += renamed;
            deleted += superseded.Count;
            finished += renamed > 0 || superseded.Count > 0 ? 1 : 0;
        }

        var named = records.Where(r => r.IsCompaction && !gone.Contains(r))
            .SelectMany(r => r.Files)
            .Select(f => MasterDatasetLayout.Resolve(Log.Root, f.Path) + MasterDatasetLayout.CompactingSuffix)
            .ToHashSet(StringComparer.Ordinal);
        var orphans = 0;
        if (Directory.Exists(Log.SourceDirectory))
        {
            foreach (var path in Directory.EnumerateFiles(Log.SourceDirectory, "*" + MasterDatasetLayout.CompactingSuffix, SearchOption.AllDirectories))
            {
                if (!named.Contains(path))
                {
                    File.Delete(path);
                    orphans++;
                }
            }
        }

        return new CompactionRecovery(finished, rolledForward, deleted, orphans);
    }

    /// <summary>
    /// The runs of commits a compaction would merge now: per partition, among the commits in force whose
    /// files are in place and which were written at least <paramref name="minAge"/> ago (a prefix of the
    /// chain), consecutive commits grouped greedily up to <paramref name="maxEventsPerRecord"/> valid events;
    /// runs of a single commit are left alone.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<DatasetCommit>> Plan(TimeSpan minAge, long maxEventsPerRecord)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minAge, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventsPerRecord, 1);
        var cutoff = _time.GetUtcNow() - minAge;
        var runs = new List<IReadOnlyList<DatasetCommit>>();
        foreach (var partition in Log.ReadCommits().GroupBy(c => c.Partition))
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
    /// Recovers interrupted compactions, then compacts every run of <see cref="Plan"/>.
    /// </summary>
    public async Task<CompactionResult> CompactAsync(TimeSpan minAge, long maxEventsPerRecord, CancellationToken cancellationToken)
    {
        var recovery = Recover();
        var filesBefore = MasterDatasetSnapshot.Load(Log.Root, Log.Source).Files.Count;
        int superseded = 0, written = 0, files = 0, read = 0;
        long rows = 0;
        foreach (var run in Plan(minAge, maxEventsPerRecord))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (_, merged, mergedRows, filesRead) = await CompactRunAsync(run, cancellationToken).ConfigureAwait(false);
            read += filesRead;
            superseded += run.Count;
            written++;
            files += merged;
            rows += mergedRows;
        }

        var filesAfter = MasterDatasetSnapshot.Load(Log.Root, Log.Source).Files.Count;
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

        // Step 1.
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

        // Step 2.
        var record = new DatasetCommit
        {
            FormatVersion = DatasetCommit.CompactionFormatVersion,
            Source = Log.Source,
            Partition = partition,
            FirstOffset = run[0].FirstOffset,
            LastOffset = run[^1].LastOffset,
            ValidEvents = run.Sum(c => c.ValidEvents),
            InvalidEvents = run.Sum(c => c.InvalidEvents),
            CreatedAt = _time.GetUtcNow(),
            Files = files,
            Supersedes = run.Select(c => c.FileName).ToArray(),
        };
        await Log.WriteAsync(record, FlushToDisk, cancellationToken).ConfigureAwait(false);
        AfterStep?.Invoke($"wrote record {record.FileName}");

        // Steps 3 and 4.
        PublishFiles(record);
        foreach (var old in run)
        {
            DeleteSuperseded(record, old);
        }

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
        commit.Files.All(f => File.Exists(MasterDatasetLayout.Resolve(Log.Root, f.Path)));

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
            var path = MasterDatasetLayout.Resolve(Log.Root, part.Path);
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
        var relative = MasterDatasetLayout.DayFile(Log.Source, day, partition, buffer.MinOffset, buffer.MaxOffset);
        var aside = MasterDatasetLayout.Resolve(Log.Root, relative) + MasterDatasetLayout.CompactingSuffix;
        await _files.WriteAsync(aside, _schema, buffer, FlushToDisk, cancellationToken).ConfigureAwait(false);
        return new DatasetFile(relative, partition, day, null, buffer.Count, buffer.MinOffset, buffer.MaxOffset, buffer.MinEventTime, buffer.MaxEventTime);
    }

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private int PublishFiles(DatasetCommit compaction)
    {
        var renamed = 0;
        foreach (var file in compaction.Files)
        {
            var final = MasterDatasetLayout.Resolve(Log.Root, file.Path);
            if (File.Exists(final))
            {
                continue;
            }

            var aside = final + MasterDatasetLayout.CompactingSuffix;
            if (!File.Exists(aside))
            {
                throw new InvalidDataException(
                    $"compaction record '{Path.Combine(Log.Directory, compaction.FileName)}' names '{file.Path}', which exists neither in place nor written aside: the master dataset is damaged");
            }

            File.Move(aside, final, overwrite: false);
            renamed++;
            AfterStep?.Invoke($"renamed {file.Path}");
        }

        return renamed;
    }

    // Files first, the record last: while the record exists its file list says what is left to delete.
    private void DeleteSuperseded(DatasetCommit compaction, DatasetCommit superseded)
    {
        var kept = compaction.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var file in superseded.Files)
        {
            var path = MasterDatasetLayout.Resolve(Log.Root, file.Path);
            if (!kept.Contains(file.Path) && File.Exists(path))
            {
                File.Delete(path);
                AfterStep?.Invoke($"deleted {file.Path}");
            }
        }

        var recordPath = Path.Combine(Log.Directory, superseded.FileName);
        if (File.Exists(recordPath))
        {
            File.Delete(recordPath);
            AfterStep?.Invoke($"deleted record {superseded.FileName}");
        }
    }
}
