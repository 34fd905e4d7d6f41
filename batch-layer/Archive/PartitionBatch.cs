using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Archive;

/// <summary>
/// What the archiver has consumed from one partition since its last commit: the offset range (from the
/// resume position to the last message), the valid events by event hour, and the count of invalid ones.
/// </summary>
internal sealed class PartitionBatch(SourceDefinition source, int partition, long? start)
{
    public int Partition { get; } = partition;

    /// <summary>Where this batch starts: the committed end, or null before the first message of a never-archived partition.</summary>
    public long? Start { get; private set; } = start;

    /// <summary>The last offset consumed, or null when nothing has been consumed since the last commit.</summary>
    public long? Last { get; private set; }

    public MasterPartitionBatch Rows { get; } = new(source, partition);

    public long Invalid { get; private set; }

    public long Messages => Rows.Rows + Invalid;

    public bool HasProgress => Last is not null;

    /// <summary>The next offset this batch expects.</summary>
    public long? Next => Last + 1 ?? Start;

    /// <summary>Records that <paramref name="offset"/> was consumed; returns the offsets skipped before it (0 normally).</summary>
    /// <exception cref="InvalidOperationException">The offset is below the expected position: the topic's offsets went backwards.</exception>
    public long Advance(long offset)
    {
        Start ??= offset;
        var expected = Next!.Value;
        if (offset < expected)
        {
            throw new InvalidOperationException(
                $"source '{source.Name}' partition {Partition}: received offset {offset} but the archive already holds everything below {expected}; "
                + "the topic's offsets went backwards (was the broker's data lost or the topic recreated?) and the master dataset no longer matches it");
        }

        Last = offset;
        return offset - expected;
    }

    public void CountInvalid() => Invalid++;

    /// <summary>Starts the next batch after a commit.</summary>
    public void Committed()
    {
        Start = Last + 1;
        Last = null;
        Invalid = 0;
        Rows.Clear();
    }
}
