namespace Lambda.Shared.Dataset;

/// <summary>
/// The seam between the master dataset's writers and readers and where its commit log lives: <see cref="CommitLog"/>
/// (record files under <c>Batch:DatasetRoot</c>, commit by rename) for <c>Storage:Kind = local</c>,
/// <see cref="ObjectStoreCommitLog"/> (data files in the object store, commit records as PostgreSQL rows) for <c>s3</c>.
/// Either way a reader sees a commit whole or not at all, also across a kill, and the data files of a snapshot are
/// local files under <see cref="Root"/>, so everything that reads Parquet by path works unchanged.
/// </summary>
public interface IMasterCommitLog
{
    /// <summary>The absolute local dataset root: writers write data files aside there; snapshots name files there.</summary>
    string Root { get; }

    /// <summary>The source.</summary>
    string Source { get; }

    /// <summary>The records in force (of <paramref name="partitions"/> only, when given), sorted by partition and first offset.</summary>
    /// <exception cref="InvalidDataException">A record is unreadable or inconsistent.</exception>
    Task<IReadOnlyList<DatasetCommit>> ReadCommitsAsync(IReadOnlySet<int>? partitions, CancellationToken cancellationToken);

    /// <summary>
    /// Commits an archive commit whose data files are written aside under <see cref="Root"/> (their path plus
    /// <see cref="MasterDatasetLayout.TempSuffix"/>): once this returns the commit is visible to every reader, with its
    /// files in place under <see cref="Root"/>.
    /// </summary>
    /// <exception cref="IOException">A record of an overlapping range exists already (another writer committed it).</exception>
    Task<DatasetCommit> CommitAsync(DatasetCommit commit, bool flushToDisk, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces <paramref name="run"/> (consecutive records in force of one partition, as read from this log) by the
    /// compaction record <paramref name="compaction"/>, whose range is the run's and whose new data files are written aside
    /// under <see cref="Root"/> (their path plus <see cref="MasterDatasetLayout.CompactingSuffix"/>; a file it shares with
    /// the run is kept as it is). Readers see the run or the compaction, never both, never neither, also across a kill.
    /// </summary>
    /// <exception cref="CommitLogChangedException">The run is no longer what is in force (another compactor replaced it).</exception>
    Task<DatasetCommit> ReplaceAsync(DatasetCommit compaction, IReadOnlyList<DatasetCommit> run, bool flushToDisk, CancellationToken cancellationToken);

    /// <summary>
    /// Finishes or discards what a killed compaction left, and deletes what replaced records left once no reader can need
    /// it any more. Only one compactor may run per source at a time.
    /// </summary>
    /// <exception cref="InvalidDataException">A compaction record names a file that exists nowhere.</exception>
    Task<CompactionRecovery> RecoverCompactionsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Brings the partitions' part of the dataset to a consistent state after a crash (finishes or discards what a
    /// killed writer left). Only the archiver that owns the partitions may run it.
    /// </summary>
    Task<CommitRecovery> RecoverAsync(IReadOnlySet<int> partitions, CancellationToken cancellationToken);

    /// <summary>
    /// Per partition the committed end (exclusive offset) of the current snapshot, without copying any file (what
    /// <see cref="LoadSnapshotAsync"/> would give as <see cref="MasterDatasetSnapshot.CommittedEnds"/>).
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> ReadCommittedEndsAsync(CancellationToken cancellationToken);

    /// <summary>The files and bytes the current snapshot names, in the storage itself, without copying any file.</summary>
    /// <exception cref="InvalidDataException">The commit log is damaged.</exception>
    Task<MasterDatasetSize> MeasureAsync(CancellationToken cancellationToken);

    /// <summary>The current snapshot, every file it names present under <see cref="Root"/>.</summary>
    /// <exception cref="InvalidDataException">The commit log is damaged.</exception>
    Task<MasterDatasetSnapshot> LoadSnapshotAsync(CancellationToken cancellationToken);
}
