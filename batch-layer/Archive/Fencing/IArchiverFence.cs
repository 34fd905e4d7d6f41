namespace Lambda.BatchLayer.Archive.Fencing;

/// <summary>
/// Keeps a member of the archiver's consumer group that lost a partition (paused past its session, e.g. SIGSTOP) from
/// committing to it afterwards: each assignment takes a token per (group, partition), newer than every token taken
/// before, and a commit record is written only while the writer's token is still the partition's newest, with the
/// newest token held still until the record is written (batch-layer/README.md, "Several archivers: one consumer group").
/// </summary>
public interface IArchiverFence
{
    /// <summary>True when tokens are taken and checked (<c>Batch:Archiver:Fencing</c>).</summary>
    bool IsEnabled { get; }

    /// <summary>
    /// Takes a new token for each of <paramref name="partitions"/> of consumer group <paramref name="group"/>; from then on
    /// every older token of those partitions is superseded. Waits while a writer holds one of them
    /// (<see cref="WriteUnderFenceAsync"/>), so a record that writer writes is in place before the new owner reads the log.
    /// Empty when fencing is off.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> TakeAsync(string group, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);

    /// <summary>The partitions of <paramref name="tokens"/> whose token is no longer their newest (a cheap check before writing data files).</summary>
    Task<IReadOnlySet<int>> SupersededAsync(string group, IReadOnlyDictionary<int, long> tokens, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="write"/> with the partitions of <paramref name="tokens"/> whose token is still their newest, and
    /// keeps every new token of them from being taken until it returns; returns the superseded ones (not written).
    /// </summary>
    Task<IReadOnlySet<int>> WriteUnderFenceAsync(
        string group, IReadOnlyDictionary<int, long> tokens, Func<IReadOnlySet<int>, CancellationToken, Task> write, CancellationToken cancellationToken);
}
