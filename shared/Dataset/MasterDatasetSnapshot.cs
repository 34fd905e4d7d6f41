namespace Lambda.Shared.Dataset;

/// <summary>
/// A consistent view of one source's master dataset at one moment, taken from its commit log: per
/// partition the committed end (exclusive: every offset below it has been consumed and its valid events
/// stored) and the data files holding them. A commit counts only when every file it names is in place and
/// all earlier commits of its partition count, so a reader running beside the archiver never sees a
/// batch in the middle of being published. A compaction record counts instead of the commits it supersedes
/// once every file it names is in place (the batch layer's <c>MasterDatasetCompactor</c>), so a reader running beside a
/// compaction sees either the old commits or the new record, never both and never neither.
/// </summary>
public sealed class MasterDatasetSnapshot
{
    private readonly Dictionary<int, long> _ends;

    private MasterDatasetSnapshot(string root, string source, Dictionary<int, long> ends, IReadOnlyList<DatasetFile> files)
    {
        Root = root;
        Source = source;
        _ends = ends;
        Files = files;
    }

    /// <summary>The absolute dataset root.</summary>
    public string Root { get; }

    /// <summary>The source.</summary>
    public string Source { get; }

    /// <summary>Per partition the committed end (exclusive offset).</summary>
    public IReadOnlyDictionary<int, long> CommittedEnds => _ends;

    /// <summary>The published data files, by partition, then offset.</summary>
    public IReadOnlyList<DatasetFile> Files { get; }

    /// <summary>Total rows in <see cref="Files"/>.</summary>
    public long Rows => Files.Sum(f => f.Rows);

    /// <summary>The UTC days that hold at least one event, ascending.</summary>
    public IReadOnlyList<DateOnly> Days => Files.SelectMany(f => f.EventDays).Select(d => d.Date).Distinct().Order().ToArray();

    /// <summary>Loads the snapshot of <paramref name="source"/> under <paramref name="root"/> (empty when nothing is archived).</summary>
    /// <exception cref="InvalidDataException">The commit log is damaged (unreadable records, overlapping or gapped ranges).</exception>
    public static MasterDatasetSnapshot Load(string root, string source)
    {
        var log = new CommitLog(root, source);

        // Which files are in place is judged after the records were read; a compaction may write its record
        // and delete the ones it replaced in between. If no record read vanished and no record appeared within
        // the ranges read afterwards, no compaction completed meanwhile, and the judgement stands.
        return ConsistentRead.Execute(() =>
        {
            var commits = log.ReadCommits();
            var snapshot = Resolve(log, source, commits);
            return log.StillHolds(commits)
                ? snapshot
                : throw new CommitLogChangedException($"the commit log '{log.Directory}' kept changing during {ConsistentRead.MaxAttempts} attempts to take a snapshot");
        });
    }

    /// <summary>
    /// The snapshot of records that are all complete (read at one commit point, as the object-store log reads its rows),
    /// naming files under <paramref name="root"/>.
    /// </summary>
    internal static MasterDatasetSnapshot FromCompleteRecords(string root, string source, IReadOnlyList<DatasetCommit> records) =>
        Resolve(root, source, records, _ => true);

    private static MasterDatasetSnapshot Resolve(CommitLog log, string source, IReadOnlyList<DatasetCommit> records) =>
        Resolve(log.Root, source, records, f => File.Exists(MasterDatasetLayout.Resolve(log.Root, f.Path)));

    private static MasterDatasetSnapshot Resolve(string root, string source, IReadOnlyList<DatasetCommit> records, Func<DatasetFile, bool> isInPlace)
    {
        var ends = new Dictionary<int, long>();
        var files = new List<DatasetFile>();
        foreach (var partition in records.GroupBy(c => c.Partition))
        {
            // Files are checked inner records first: a compaction deletes a record's files only after every
            // file of the compaction covering it is in place, so a covering compaction found incomplete later
            // proves the files found earlier were all there at once (never a gap, never a double count).
            var inPlace = new Dictionary<DatasetCommit, bool>(ReferenceEqualityComparer.Instance);
            foreach (var commit in partition.OrderBy(c => c.LastOffset - c.FirstOffset))
            {
                inPlace[commit] = commit.Files.All(isInPlace);
            }

            var commits = CommitChain.Resolve(partition, c => inPlace[c]);
            CommitLog.CheckChain(commits);
            foreach (var commit in commits)
            {
                if (!inPlace[commit])
                {
                    break;
                }

                files.AddRange(commit.Files);
                ends[partition.Key] = commit.LastOffset + 1;
            }
        }

        return new MasterDatasetSnapshot(root, source, ends, files);
    }

    /// <summary>The committed end of <paramref name="partition"/> (0 when nothing of it is archived).</summary>
    public long GetCommittedEnd(int partition) => _ends.TryGetValue(partition, out var end) ? end : 0;

    /// <summary>The absolute path of a file of the snapshot.</summary>
    public string GetPath(DatasetFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return MasterDatasetLayout.Resolve(Root, file.Path);
    }
}
