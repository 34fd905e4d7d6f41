using Lambda.Shared.Kafka.Epochs;

namespace Lambda.Shared.Dataset;

/// <summary>
/// A commit record of the master dataset: the archiver consumed offsets <see cref="FirstOffset"/>..<see cref="LastOffset"/>
/// (inclusive) of one partition and stored every valid event among them in <see cref="Files"/>: one flush file
/// (format version <see cref="FlushFormatVersion"/>; hour files, one per event hour, in version
/// <see cref="CurrentFormatVersion"/> records written by earlier builds, which stay valid). The commits
/// of a partition form a contiguous chain (each starts where the previous one ended), so the archive's
/// committed end of a partition is the last commit's <see cref="LastOffset"/> + 1.
/// A compaction record (<see cref="Supersedes"/> set, format version <see cref="CompactionFormatVersion"/>)
/// replaces a contiguous run of commits of its partition: its range is their union, its files hold
/// exactly their rows: day files (<see cref="DatasetFileKind.Day"/>), or hour files in records of earlier builds
/// (see the batch layer's <c>MasterDatasetCompactor</c>).
/// </summary>
public sealed record DatasetCommit
{
    /// <summary>The format version of an archive commit with hour files (one per event hour), as the first releases wrote it.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>
    /// The format version of an archive commit with one flush file (<see cref="DatasetFile.IsFlushFile"/>): version 1
    /// plus <see cref="DatasetFile.Days"/>. Builds that read only versions 1 and 2 reject it instead of misreading its days.
    /// </summary>
    public const int FlushFormatVersion = 3;

    /// <summary>
    /// The format version of a compaction record: version 1 plus <see cref="Supersedes"/>. Builds that read
    /// only version 1 reject it instead of counting its rows twice.
    /// </summary>
    public const int CompactionFormatVersion = 2;

    /// <summary>
    /// Format version: <see cref="FlushFormatVersion"/> for what the archiver writes, <see cref="CompactionFormatVersion"/>
    /// for a compaction record, <see cref="CurrentFormatVersion"/> for archive commits of earlier builds.
    /// </summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The source.</summary>
    public required string Source { get; init; }

    /// <summary>The Kafka partition.</summary>
    public required int Partition { get; init; }

    /// <summary>First offset covered (where consumption of this batch started).</summary>
    public required long FirstOffset { get; init; }

    /// <summary>Last offset covered (the last message consumed), inclusive.</summary>
    public required long LastOffset { get; init; }

    /// <summary>Valid events stored (the sum of the files' rows).</summary>
    public required long ValidEvents { get; init; }

    /// <summary>Messages in the range that were not valid events (not archived; the speed layer dead-letters them).</summary>
    public required long InvalidEvents { get; init; }

    /// <summary>When the commit was written (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The data files, each holding rows of this partition within the range.</summary>
    public required IReadOnlyList<DatasetFile> Files { get; init; }

    /// <summary>
    /// Compaction records only: the file names of the commit records (archive commits or earlier compaction
    /// records) this record replaces, in offset order; their ranges are contiguous and their union is this
    /// record's range. Null for an archive commit.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Supersedes { get; init; }

    /// <summary>Whether this is a compaction record.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsCompaction => Supersedes is not null;

    /// <summary>Whether this record's range holds <paramref name="other"/>'s range and is not the same range.</summary>
    public bool Covers(DatasetCommit other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Partition == Partition && FirstOffset <= other.FirstOffset && other.LastOffset <= LastOffset
            && (FirstOffset != other.FirstOffset || LastOffset != other.LastOffset);
    }

    /// <summary>
    /// True when this commit of the same partition follows <paramref name="previous"/> without gap or overlap: at the
    /// next offset, or at any offset of a later offset epoch (offsets restart with an epoch; see <see cref="KafkaPosition"/>).
    /// </summary>
    public bool Continues(DatasetCommit previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return FirstOffset == previous.LastOffset + 1
            || KafkaPosition.EpochOf(FirstOffset) > KafkaPosition.EpochOf(previous.LastOffset);
    }

    /// <summary>The commit record's file name.</summary>
    public string FileName => MasterDatasetLayout.CommitFileName(Partition, FirstOffset, LastOffset);
}
