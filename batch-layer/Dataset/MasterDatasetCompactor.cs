using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;

namespace Lambda.BatchLayer.Dataset;

/// <summary>
/// Merges runs of small commits of one source's master dataset (flush files of the archiver, hour files of
/// earlier compactions and builds) into compaction records with one hour file per (date, hour), holding exactly
/// the same rows, each file in offset order. Its cost is proportional to the rows of the run: each file is read
/// once per UTC day it touches, decoding only that day's row groups (a flush file has one per day). The protocol, safe against a kill at any
/// moment and invisible to readers (<see cref="MasterDatasetSnapshot"/> sees the old commits or the new
/// record, never both, never neither):
/// <list type="number">
/// <item>write each merged file under its final name plus <see cref="MasterDatasetLayout.CompactingSuffix"/>
/// (flushed); an hour held by a single hour file (and no flush file) keeps that file as it is (its merged name
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
    /// <param name="rowGroupSize">Rows per Parquet row group of merged files.</param>
    /// <param name="time">Clock for the commits' age and the records' timestamps.</param>
    public MasterDatasetCompactor(string root, SourceDefinition source, bool flushToDisk = true, int rowGroupSize = 1_000_000, TimeProvider? time = null)
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
        int superseded = 0, written = 0, files = 0;
        long rows = 0;
        foreach (var run in Plan(minAge, maxEventsPerRecord))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (_, merged, mergedRows) = await CompactRunAsync(run, cancellationToken).ConfigureAwait(false);
            superseded += run.Count;
            written++;
            files += merged;
            rows += mergedRows;
        }

        var filesAfter = MasterDatasetSnapshot.Load(Log.Root, Log.Source).Files.Count;
        return new CompactionResult(Log.Source, recovery, superseded, written, filesBefore, filesAfter, files, rows);
    }

    /// <summary>Replaces <paramref name="run"/> (consecutive commits of one partition, in force, files in place) by one compaction record.</summary>
    internal async Task<(DatasetCommit Record, int FilesWritten, long RowsWritten)> CompactRunAsync(IReadOnlyList<DatasetCommit> run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Count < 2)
        {
            throw new ArgumentException("a compaction merges at least two commits", nameof(run));
        }

        var partition = run[0].Partition;
        var files = new List<DatasetFile>();
        var written = 0;
        long rows = 0;

        // Step 1, day by day (a day's rows of the run are in memory at once): an hour held by a single hour file and no
        // flush file keeps that file; every other hour of the day is merged from the day's rows of every file.
        var allFiles = run.SelectMany(c => c.Files).ToList();
        foreach (var day in allFiles.SelectMany(f => f.EventDays).Select(d => d.Date).Distinct().Order())
        {
            var parts = allFiles.Where(f => f.Touches(day)).ToList();
            var flushed = parts.Any(f => f.IsFlushFile);
            var merging = new List<DatasetFile>();
            foreach (var hour in parts.GroupBy(f => f.Hour))
            {
                if (!flushed && hour.Key is not null && hour.Count() == 1)
                {
                    files.Add(hour.Single());
                }
                else
                {
                    merging.AddRange(hour);
                }
            }

            foreach (var (merged, kept) in await MergeDayAsync(partition, day, merging, cancellationToken).ConfigureAwait(false))
            {
                files.Add(merged);
                if (kept)
                {
                    continue;
                }

                written++;
                rows += merged.Rows;
                AfterStep?.Invoke($"wrote {merged.Path}{MasterDatasetLayout.CompactingSuffix}");
            }
        }

        files.Sort((a, b) => (a.Date, a.Hour).CompareTo((b.Date, b.Hour)));

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

        return (record, written, rows);
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

    /// <summary>Writes the rows of <paramref name="day"/> in <paramref name="parts"/> as one hour file per hour, rows in offset order.</summary>
    /// An hour whose rows all come from one hour file keeps that file (Kept).
    private async Task<List<(DatasetFile File, bool Kept)>> MergeDayAsync(int partition, DateOnly day, List<DatasetFile> parts, CancellationToken cancellationToken)
    {
        var written = new List<(DatasetFile, bool)>();
        if (parts.Count == 0)
        {
            return written;
        }

        var hours = new SortedDictionary<int, MasterRowBuffer>();
        var sources = new Dictionary<int, HashSet<DatasetFile>>();
        var batch = new MasterRowBatch(_schema);
        var record = new EventRecord(_schema.Source);
        var dayStart = UtcDay.Start(day);
        foreach (var part in parts)
        {
            var path = MasterDatasetLayout.Resolve(Log.Root, part.Path);
            var expected = part.EventDays.Single(d => d.Date == day).Rows;
            long taken = 0;
            var fed = new bool[24];
            await MasterFileReader.ReadAsync(path, batch, b =>
            {
                var offsets = b.Offsets;
                var partitions = b.Partitions;
                var times = b.EventTimes;
                for (var i = 0; i < b.Count; i++)
                {
                    var sinceDayStart = times[i] - dayStart;
                    if (sinceDayStart is < 0 or >= GranularityExtensions.DayMilliseconds)
                    {
                        continue;
                    }

                    if (partitions[i] != partition || offsets[i] < part.MinOffset || offsets[i] > part.MaxOffset)
                    {
                        throw new InvalidDataException($"'{path}' holds partition {partitions[i]} offset {offsets[i]}, outside what its commit record says");
                    }

                    var hour = (int)(sinceDayStart / GranularityExtensions.HourMilliseconds);
                    if (!hours.TryGetValue(hour, out var buffer))
                    {
                        hours.Add(hour, buffer = new MasterRowBuffer(_schema.Source, 1024));
                        sources.Add(hour, new HashSet<DatasetFile>(ReferenceEqualityComparer.Instance));
                    }

                    if (!fed[hour])
                    {
                        fed[hour] = true;
                        sources[hour].Add(part);
                    }

                    b.Fill(i, record);
                    buffer.Append(record, partition, offsets[i]);
                    taken++;
                }
            }, cancellationToken, (min, max) => UtcDay.Overlaps(day, min, max)).ConfigureAwait(false);
            if (taken != expected)
            {
                throw new InvalidDataException($"'{path}' holds {taken} rows on {day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}, its commit record says {expected}");
            }
        }

        foreach (var (hour, buffer) in hours)
        {
            if (sources[hour].Count == 1 && sources[hour].Single() is { IsFlushFile: false } only && only.Hour == hour)
            {
                written.Add((only, true));
                continue;
            }

            buffer.SortByOffset();
            var offsets = buffer.Offsets;
            for (var i = 1; i < buffer.Count; i++)
            {
                if (offsets[i] == offsets[i - 1])
                {
                    throw new InvalidDataException($"partition {partition} offset {offsets[i]} is stored twice on {day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}: the commits to compact overlap");
                }
            }

            var relative = MasterDatasetLayout.DataFile(Log.Source, day, hour, partition, buffer.MinOffset, buffer.MaxOffset);
            var aside = MasterDatasetLayout.Resolve(Log.Root, relative) + MasterDatasetLayout.CompactingSuffix;
            await _files.WriteAsync(aside, _schema, buffer, FlushToDisk, cancellationToken).ConfigureAwait(false);
            written.Add((new DatasetFile(relative, partition, day, hour, buffer.Count, buffer.MinOffset, buffer.MaxOffset, buffer.MinEventTime, buffer.MaxEventTime), false));
        }

        return written;
    }

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
