namespace Lambda.BatchLayer.Dataset;

/// <summary>
/// A commit record of the master dataset: the archiver consumed offsets <see cref="FirstOffset"/>..<see cref="LastOffset"/>
/// (inclusive) of one partition and stored every valid event among them in <see cref="Files"/>. The commits
/// of a partition form a contiguous chain (each starts where the previous one ended), so the archive's
/// committed end of a partition is the last commit's <see cref="LastOffset"/> + 1.
/// </summary>
public sealed record DatasetCommit
{
    /// <summary>The commit-record format version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Format version.</summary>
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

    /// <summary>The commit record's file name.</summary>
    public string FileName => MasterDatasetLayout.CommitFileName(Partition, FirstOffset, LastOffset);
}
