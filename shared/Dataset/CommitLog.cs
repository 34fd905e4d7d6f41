using System.Globalization;
using System.Text.Json;

namespace Lambda.Shared.Dataset;

/// <summary>
/// The commit log of one source's master dataset (<c>master/&lt;source&gt;/_commits/</c>): the record of
/// which offset ranges of which partitions are stored, and in which files. The protocol that makes the
/// archive exactly-once and safe against a kill at any moment:
/// <list type="number">
/// <item>write every data file of a batch under its final name plus <c>.tmp</c> (flushed to disk);</item>
/// <item>write the commit record atomically (temporary file, flushed, renamed; the rename refuses to
/// replace an existing record);</item>
/// <item>rename the data files into place.</item>
/// </list>
/// Recovery (<see cref="Recover"/>, run by the archiver for the partitions it is assigned before it
/// consumes) rolls forward every commit whose files are still <c>.tmp</c> and deletes every <c>.tmp</c>
/// file no commit names. The resume offset of a partition is its last commit's last offset + 1.
/// Compaction records (<see cref="DatasetCommit.Supersedes"/>, written by the batch layer's <c>MasterDatasetCompactor</c> through <see cref="ReplaceAsync"/>)
/// replace runs of commits: readers resolve them with <see cref="CommitChain"/> (a compaction record whose
/// files are all in place replaces every record its range covers), and since a compaction record's range is
/// the union of the ranges it replaces, the resume offset is the same whichever of them is in force.
/// </summary>
public sealed class CommitLog : IMasterCommitLog
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
    };

    /// <summary>Creates the log of <paramref name="source"/> under the dataset root <paramref name="root"/>.</summary>
    public CommitLog(string root, string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Root = Path.GetFullPath(root);
        Source = source;
        SourceDirectory = MasterDatasetLayout.SourceDirectory(Root, source);
        Directory = MasterDatasetLayout.CommitDirectory(Root, source);
    }

    /// <summary>The absolute dataset root.</summary>
    public string Root { get; }

    /// <summary>The source.</summary>
    public string Source { get; }

    /// <summary>The source's data directory.</summary>
    public string SourceDirectory { get; }

    /// <summary>The commit-log directory.</summary>
    public string Directory { get; }

    /// <summary>
    /// Every commit record (of <paramref name="partitions"/> only, when given), sorted by partition and first
    /// offset. Records being written (temporary files) are not included.
    /// </summary>
    /// <exception cref="InvalidDataException">A record is unreadable or inconsistent; the message names it.</exception>
    public IReadOnlyList<DatasetCommit> ReadCommits(IReadOnlySet<int>? partitions = null)
    {
        // A compaction deletes records it superseded and writes new ones while readers list the directory:
        // a record may vanish between the listing and its reading, and a directory listing is not atomic.
        // Records are never re-created under a name once deleted, so a second listing that still holds every
        // record read, and nothing new but archive commits beyond them, means the reads are consistent.
        return ConsistentRead.Execute(() =>
        {
            var names = ListRecordNames(partitions);
            var commits = new List<DatasetCommit>(names.Count);
            var vanished = false;
            foreach (var (name, partition, first, last) in names.Values)
            {
                var path = Path.Combine(Directory, name);
                byte[] json;
                try
                {
                    json = File.ReadAllBytes(path);
                }
                catch (FileNotFoundException)
                {
                    vanished = true;
                    break;
                }

                var commit = Parse(path, json);
                if (commit.Partition != partition || commit.FirstOffset != first || commit.LastOffset != last)
                {
                    throw new InvalidDataException(
                        $"commit record '{path}' holds partition {commit.Partition} offsets {commit.FirstOffset}-{commit.LastOffset}, which does not match its name");
                }

                commits.Add(commit);
            }

            if (vanished || !StillHolds(commits, partitions))
            {
                throw new CommitLogChangedException($"the commit log '{Directory}' kept changing during {ConsistentRead.MaxAttempts} attempts to read it");
            }

            commits.Sort((a, b) => a.Partition != b.Partition ? a.Partition.CompareTo(b.Partition) : a.FirstOffset.CompareTo(b.FirstOffset));
            return (IReadOnlyList<DatasetCommit>)commits;
        });
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<DatasetCommit>> ReadCommitsAsync(IReadOnlySet<int>? partitions, CancellationToken cancellationToken) =>
        Task.FromResult(ReadCommits(partitions));

    /// <inheritdoc/>
    public async Task<DatasetCommit> CommitAsync(DatasetCommit commit, bool flushToDisk, CancellationToken cancellationToken)
    {
        await WriteAsync(commit, flushToDisk, cancellationToken).ConfigureAwait(false);
        Publish(commit);
        return commit;
    }

    /// <inheritdoc/>
    public Task<CommitRecovery> RecoverAsync(IReadOnlySet<int> partitions, CancellationToken cancellationToken) =>
        Task.FromResult(Recover(partitions));

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, long>> ReadCommittedEndsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(MasterDatasetSnapshot.Load(Root, Source).CommittedEnds);

    /// <inheritdoc/>
    public Task<MasterDatasetSnapshot> LoadSnapshotAsync(CancellationToken cancellationToken) =>
        Task.FromResult(MasterDatasetSnapshot.Load(Root, Source));

    /// <summary>Called after every step of <see cref="ReplaceAsync"/> and <see cref="RecoverCompactions"/> that changes the dataset on disk (crash tests stop there).</summary>
    internal Action<string>? AfterStep { get; set; }

    /// <inheritdoc/>
    /// <remarks>
    /// Writes the compaction record atomically (it does not count yet: its files are not in place), renames the merged
    /// files into place (with the last rename the record counts instead of the run), then per replaced record deletes its
    /// data files the compaction does not keep, and the record last (while it exists, its file list says what is left).
    /// </remarks>
    public async Task<DatasetCommit> ReplaceAsync(DatasetCommit compaction, IReadOnlyList<DatasetCommit> run, bool flushToDisk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compaction);
        ArgumentNullException.ThrowIfNull(run);
        if (!compaction.IsCompaction)
        {
            throw new ArgumentException($"commit {compaction.FileName} is not a compaction record", nameof(compaction));
        }

        await WriteAsync(compaction, flushToDisk, cancellationToken).ConfigureAwait(false);
        AfterStep?.Invoke($"wrote record {compaction.FileName}");
        PublishCompaction(compaction);
        foreach (var old in run)
        {
            DeleteSuperseded(compaction, old);
        }

        return compaction;
    }

    /// <inheritdoc/>
    public Task<CompactionRecovery> RecoverCompactionsAsync(CancellationToken cancellationToken) => Task.FromResult(RecoverCompactions());

    /// <summary>
    /// Completes every interrupted compaction (renames its merged files into place, deletes what it superseded) and
    /// deletes the files of compactions that were killed before writing their record.
    /// </summary>
    /// <exception cref="InvalidDataException">A compaction record names a file that exists neither in place nor aside.</exception>
    public CompactionRecovery RecoverCompactions()
    {
        var records = ReadCommits();
        var gone = new HashSet<DatasetCommit>(ReferenceEqualityComparer.Instance);
        int finished = 0, rolledForward = 0, deleted = 0;

        // Outermost first: a compaction record may itself be superseded (partly deleted) by a later one.
        foreach (var compaction in records.Where(r => r.IsCompaction).OrderByDescending(r => r.LastOffset - r.FirstOffset))
        {
            if (gone.Contains(compaction))
            {
                continue;
            }

            var renamed = PublishCompaction(compaction);
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
            .Select(f => MasterDatasetLayout.Resolve(Root, f.Path) + MasterDatasetLayout.CompactingSuffix)
            .ToHashSet(StringComparer.Ordinal);
        var orphans = 0;
        if (System.IO.Directory.Exists(SourceDirectory))
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(SourceDirectory, "*" + MasterDatasetLayout.CompactingSuffix, SearchOption.AllDirectories))
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

    /// <inheritdoc/>
    public Task<MasterDatasetSize> MeasureAsync(CancellationToken cancellationToken)
    {
        var snapshot = MasterDatasetSnapshot.Load(Root, Source);
        long bytes = 0;
        foreach (var file in snapshot.Files)
        {
            var info = new FileInfo(snapshot.GetPath(file));
            // A compaction may delete a superseded file between the snapshot and the stat; the next measure counts right.
            bytes += info.Exists ? info.Length : 0;
        }

        return Task.FromResult(new MasterDatasetSize(snapshot.Files.Count, bytes));
    }

    /// <summary>
    /// The offset the archiver resumes <paramref name="partition"/> from: the last commit's last offset + 1,
    /// or null when nothing of the partition has been committed.
    /// </summary>
    /// <exception cref="InvalidDataException">The partition's commits overlap or leave a gap.</exception>
    public long? GetResumeOffset(int partition)
    {
        // Every compaction record counts as complete here: its range is the union of the ranges it
        // supersedes, so the chain ends at the same offset whichever of the two is in force.
        var commits = CommitChain.Resolve(ReadCommits(new HashSet<int> { partition }), _ => true);
        CheckChain(commits);
        return commits.Count == 0 ? null : commits[^1].LastOffset + 1;
    }

    /// <summary>
    /// Writes a commit record atomically (step 2 of the protocol). Every file it names must already be
    /// written aside (<c>.tmp</c>).
    /// </summary>
    /// <exception cref="IOException">A record of the same range exists already (another writer committed it).</exception>
    public async Task WriteAsync(DatasetCommit commit, bool flushToDisk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        Validate(commit, commit.FileName);
        var suffix = commit.IsCompaction ? MasterDatasetLayout.CompactingSuffix : MasterDatasetLayout.TempSuffix;
        foreach (var file in commit.Files)
        {
            var placed = MasterDatasetLayout.Resolve(Root, file.Path);
            var aside = placed + suffix;
            // A compaction keeps a file as it is when it alone holds its hour's rows (same name, same rows).
            if (!File.Exists(aside) && !(commit.IsCompaction && File.Exists(placed)))
            {
                throw new InvalidOperationException($"commit {commit.FileName}: data file '{file.Path}' has not been written aside ('{aside}' is missing)");
            }
        }

        System.IO.Directory.CreateDirectory(Directory);
        var final = Path.Combine(Directory, commit.FileName);
        var temp = $"{final}.{Guid.NewGuid():N}{suffix}";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096))
            {
                await JsonSerializer.SerializeAsync(stream, commit, JsonOptions, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flushToDisk)
                {
                    stream.Flush(flushToDisk: true);
                }
            }

            File.Move(temp, final, overwrite: false);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Renames a committed commit's data files into place (step 3 of the protocol).</summary>
    public void Publish(DatasetCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var suffix = commit.IsCompaction ? MasterDatasetLayout.CompactingSuffix : MasterDatasetLayout.TempSuffix;
        foreach (var file in commit.Files)
        {
            var final = MasterDatasetLayout.Resolve(Root, file.Path);
            if (!(commit.IsCompaction && File.Exists(final)))
            {
                File.Move(final + suffix, final, overwrite: false);
            }
        }
    }

    /// <summary>
    /// Brings the partitions' part of the dataset to a consistent state after a crash: rolls forward every
    /// commit whose data files are still written aside and deletes every temporary file (data or commit
    /// record) of those partitions that no commit names. Only the archiver that owns the partitions may run it.
    /// </summary>
    /// <exception cref="InvalidDataException">A commit names a file that exists neither in place nor aside.</exception>
    public CommitRecovery Recover(IReadOnlySet<int> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var commits = ReadCommits(partitions);
        var compactions = commits.Where(c => c.IsCompaction).ToList();
        var rolledForward = 0;
        foreach (var commit in commits)
        {
            // Compaction records and the commits they supersede belong to the compactor's recovery
            // (RecoverCompactions): a compaction only ever takes commits already in place, and
            // their files may be deleted at any moment once it is complete.
            if (commit.IsCompaction || compactions.Any(k => k.Covers(commit)))
            {
                continue;
            }

            foreach (var file in commit.Files)
            {
                var final = MasterDatasetLayout.Resolve(Root, file.Path);
                if (File.Exists(final))
                {
                    continue;
                }

                var aside = final + MasterDatasetLayout.TempSuffix;
                if (!File.Exists(aside) && IsCompactedSince(commit, partitions))
                {
                    // A compaction that started after this recovery read the log superseded the commit and
                    // deleted its files: nothing to roll forward.
                    break;
                }

                if (!File.Exists(aside))
                {
                    throw new InvalidDataException(
                        $"commit '{Path.Combine(Directory, commit.FileName)}' names '{file.Path}', which exists neither in place nor written aside: the master dataset is damaged");
                }

                File.Move(aside, final, overwrite: false);
                rolledForward++;
            }
        }

        return new CommitRecovery(commits.Count, rolledForward, DeleteTempFiles(partitions));
    }

    private int PublishCompaction(DatasetCommit compaction)
    {
        var renamed = 0;
        foreach (var file in compaction.Files)
        {
            var final = MasterDatasetLayout.Resolve(Root, file.Path);
            if (File.Exists(final))
            {
                continue;
            }

            var aside = final + MasterDatasetLayout.CompactingSuffix;
            if (!File.Exists(aside))
            {
                throw new InvalidDataException(
                    $"compaction record '{Path.Combine(Directory, compaction.FileName)}' names '{file.Path}', which exists neither in place nor written aside: the master dataset is damaged");
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
            var path = MasterDatasetLayout.Resolve(Root, file.Path);
            if (!kept.Contains(file.Path) && File.Exists(path))
            {
                File.Delete(path);
                AfterStep?.Invoke($"deleted {file.Path}");
            }
        }

        var recordPath = Path.Combine(Directory, superseded.FileName);
        if (File.Exists(recordPath))
        {
            File.Delete(recordPath);
            AfterStep?.Invoke($"deleted record {superseded.FileName}");
        }
    }

    /// <summary>Deletes every temporary data file (<see cref="MasterDatasetLayout.TempSuffix"/>) of the partitions; returns how many.</summary>
    internal int DeleteTempFiles(IReadOnlySet<int> partitions)
    {
        var deleted = 0;
        if (System.IO.Directory.Exists(SourceDirectory))
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(SourceDirectory, "p*" + MasterDatasetLayout.TempSuffix, SearchOption.AllDirectories))
            {
                if (TryParsePartitionPrefix(Path.GetFileName(path), out var partition) && partitions.Contains(partition))
                {
                    File.Delete(path);
                    deleted++;
                }
            }
        }

        return deleted;
    }

    /// <summary>
    /// Checks that commits of one partition (sorted by first offset) form a contiguous chain.
    /// </summary>
    /// <exception cref="InvalidDataException">Two commits overlap or leave a gap.</exception>
    internal static void CheckChain(IReadOnlyList<DatasetCommit> commits)
    {
        for (var i = 1; i < commits.Count; i++)
        {
            var previous = commits[i - 1];
            var next = commits[i];
            if (next.Partition == previous.Partition && !next.Continues(previous))
            {
                throw new InvalidDataException(next.FirstOffset <= previous.LastOffset
                    ? $"commits {previous.FileName} and {next.FileName} of source '{previous.Source}' overlap: events would be stored twice"
                    : $"commits {previous.FileName} and {next.FileName} of source '{previous.Source}' leave offsets {previous.LastOffset + 1}-{next.FirstOffset - 1} uncovered");
            }
        }
    }

    /// <summary>A record's JSON, as the record files hold it.</summary>
    internal static byte[] Serialize(DatasetCommit commit) => JsonSerializer.SerializeToUtf8Bytes(commit, JsonOptions);

    /// <summary>Parses and validates a record read from <paramref name="path"/> (a file, or a row for messages).</summary>
    internal DatasetCommit Parse(string path, byte[] json)
    {
        DatasetCommit? commit;
        try
        {
            commit = JsonSerializer.Deserialize<DatasetCommit>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"commit record '{path}' is not valid: {ex.Message}", ex);
        }

        if (commit is null)
        {
            throw new InvalidDataException($"commit record '{path}' is empty");
        }

        Validate(commit, path);
        return commit;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="origin"/> unless the record is consistent.</summary>
    internal void Validate(DatasetCommit commit, string origin)
    {
        string? problem = null;
        if (commit.FormatVersion is not (DatasetCommit.CurrentFormatVersion or DatasetCommit.CompactionFormatVersion or DatasetCommit.FlushFormatVersion))
        {
            problem = $"formatVersion {commit.FormatVersion} is not supported";
        }
        else if ((commit.FormatVersion == DatasetCommit.CompactionFormatVersion) != commit.IsCompaction)
        {
            problem = $"formatVersion {commit.FormatVersion} {(commit.IsCompaction ? "may not have" : "requires")} supersedes";
        }
        else if (commit.IsCompaction && SupersedesProblem(commit) is { } supersedes)
        {
            problem = supersedes;
        }
        else if (!string.Equals(commit.Source, Source, StringComparison.Ordinal))
        {
            problem = $"source is '{commit.Source}', expected '{Source}'";
        }
        else if (commit.Partition < 0 || commit.FirstOffset < 0 || commit.LastOffset < commit.FirstOffset)
        {
            problem = $"partition {commit.Partition} range {commit.FirstOffset}-{commit.LastOffset} is invalid";
        }
        else if (commit.Files is null)
        {
            problem = "files is missing";
        }
        else if (commit.ValidEvents != commit.Files.Sum(f => f.Rows))
        {
            problem = $"validEvents {commit.ValidEvents} differs from the files' {commit.Files.Sum(f => f.Rows)} rows";
        }
        else if (commit.FormatVersion == DatasetCommit.FlushFormatVersion && commit.Files.Count > 1)
        {
            problem = $"an archive commit of format {DatasetCommit.FlushFormatVersion} has one flush file, not {commit.Files.Count}";
        }
        else
        {
            var flush = commit.FormatVersion == DatasetCommit.FlushFormatVersion;
            foreach (var file in commit.Files)
            {
                var days = flush ? DaysProblem(file) : file.Kind == DatasetFileKind.Day ? DayFileProblem(file, commit) : null;
                if (file.Partition != commit.Partition || file.MinOffset < commit.FirstOffset || file.MaxOffset > commit.LastOffset
                    || file.MinOffset > file.MaxOffset || file.Rows <= 0 || file.IsFlushFile != flush
                    || !string.Equals(file.Path, ExpectedPath(file), StringComparison.Ordinal)
                    || days is not null)
                {
                    problem = $"file '{file.Path}' does not fit the commit (partition, offsets, rows, days or layout){(days is null ? string.Empty : ": " + days)}";
                    break;
                }
            }
        }

        if (problem is not null)
        {
            throw new InvalidDataException($"commit record '{origin}': {problem}");
        }
    }

    private string? ExpectedPath(DatasetFile file) => file switch
    {
        { IsFlushFile: true, Date: null, Hour: null } => MasterDatasetLayout.FlushFile(Source, file.Partition, file.MinOffset, file.MaxOffset),
        { IsFlushFile: false, Date: { } date, Hour: >= 0 and <= 23 and var hour } => MasterDatasetLayout.DataFile(Source, date, hour, file.Partition, file.MinOffset, file.MaxOffset),
        { IsFlushFile: false, Date: { } date, Hour: null } => MasterDatasetLayout.DayFile(Source, date, file.Partition, file.MinOffset, file.MaxOffset),
        _ => null,
    };

    // Only compaction writes day files; readers pick a day's files by their date, so their event times must lie on it.
    private static string? DayFileProblem(DatasetFile file, DatasetCommit commit) =>
        !commit.IsCompaction ? "a day file in an archive commit"
        : UtcDay.Of(file.MinEventTime) != file.Date || UtcDay.Of(file.MaxEventTime) != file.Date || file.MinEventTime > file.MaxEventTime
            ? string.Create(CultureInfo.InvariantCulture, $"the day file's event times {file.MinEventTime}-{file.MaxEventTime} do not lie on {file.Date:yyyy-MM-dd}")
            : null;

    private static string? DaysProblem(DatasetFile file)
    {
        var days = file.Days!;
        if (days.Count == 0)
        {
            return "no days";
        }

        if (days.Sum(d => d.Rows) != file.Rows)
        {
            return $"the days hold {days.Sum(d => d.Rows)} rows, the file {file.Rows}";
        }

        for (var i = 0; i < days.Count; i++)
        {
            var day = days[i];
            if (day.Rows <= 0 || day.MinOffset < file.MinOffset || day.MaxOffset > file.MaxOffset || day.MinOffset > day.MaxOffset
                || UtcDay.Of(day.MinEventTime) != day.Date || UtcDay.Of(day.MaxEventTime) != day.Date || day.MinEventTime > day.MaxEventTime
                || (i > 0 && days[i - 1].Date >= day.Date))
            {
                return $"day {day.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} is inconsistent (rows, offsets, times or order)";
            }
        }

        return null;
    }

    private bool IsCompactedSince(DatasetCommit commit, IReadOnlySet<int> partitions) =>
        ReadCommits(partitions).Any(k => k.IsCompaction && k.Covers(commit));

    /// <summary>
    /// Whether <paramref name="commits"/>, read earlier (of <paramref name="partitions"/>, all when null), still
    /// stand: none of them was deleted, and every record written since lies beyond the last offset read of its partition (new archive commits, which a compaction
    /// record cannot be: it only replaces commits that existed before it).
    /// </summary>
    internal bool StillHolds(IReadOnlyCollection<DatasetCommit> commits, IReadOnlySet<int>? partitions = null)
    {
        ArgumentNullException.ThrowIfNull(commits);
        var now = ListRecordNames(partitions);
        var ends = new Dictionary<int, long>();
        foreach (var commit in commits)
        {
            if (!now.Remove(commit.FileName))
            {
                return false;
            }

            ends[commit.Partition] = Math.Max(ends.GetValueOrDefault(commit.Partition, -1), commit.LastOffset);
        }

        return now.Values.All(added => added.First > ends.GetValueOrDefault(added.Partition, -1));
    }

    private static string? SupersedesProblem(DatasetCommit commit)
    {
        var names = commit.Supersedes!;
        if (names.Count < 2)
        {
            return "supersedes names fewer than two records";
        }

        var next = commit.FirstOffset;
        foreach (var name in names)
        {
            if (!MasterDatasetLayout.TryParseRangeName(name, ".json", out var partition, out var first, out var last)
                || partition != commit.Partition || first != next || last < first)
            {
                return $"supersedes '{name}', which does not continue the range at offset {next} of partition {commit.Partition}";
            }

            next = last + 1;
        }

        return next == commit.LastOffset + 1 ? null : $"supersedes end at offset {next - 1}, the record at {commit.LastOffset}";
    }

    private Dictionary<string, (string Name, int Partition, long First, long Last)> ListRecordNames(IReadOnlySet<int>? partitions)
    {
        var names = new Dictionary<string, (string, int, long, long)>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(Directory))
        {
            return names;
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "p*.json"))
        {
            var name = Path.GetFileName(path);
            if (MasterDatasetLayout.TryParseRangeName(name, ".json", out var partition, out var first, out var last)
                && (partitions is null || partitions.Contains(partition)))
            {
                names[name] = (name, partition, first, last);
            }
        }

        return names;
    }

    /// <summary>Parses the partition of a data file name <c>p&lt;partition&gt;-...</c>.</summary>
    internal static bool TryParsePartitionPrefix(string fileName, out int partition)
    {
        partition = 0;
        var dash = fileName.IndexOf('-', StringComparison.Ordinal);
        return fileName.StartsWith('p') && dash > 1
            && int.TryParse(fileName.AsSpan(1, dash - 1), NumberStyles.None, CultureInfo.InvariantCulture, out partition);
    }
}
