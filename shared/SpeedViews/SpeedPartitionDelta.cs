using Lambda.Shared.Aggregation;

namespace Lambda.Shared.SpeedViews;

/// <summary>
/// What one flush of a view covers in one Kafka partition: the inclusive offset range and the groups
/// aggregated from it. An empty <see cref="Groups"/> list is stored as one marker row
/// (<see cref="SpeedRowKind.Marker"/>) so the progress is recorded all the same.
/// </summary>
/// <param name="Partition">Kafka partition (0..65535).</param>
/// <param name="FirstOffset">First offset of the range (inclusive).</param>
/// <param name="LastOffset">Last offset of the range (inclusive); at least <paramref name="FirstOffset"/>.</param>
/// <param name="Groups">The groups of the view over that range (their states are read, not changed).</param>
public sealed record SpeedPartitionDelta(int Partition, long FirstOffset, long LastOffset, IReadOnlyList<ViewGroup> Groups)
{
    /// <summary>The fencing token of the assignment that produced the delta (0: fencing off); see <see cref="SpeedFences"/>.</summary>
    public long FencingToken { get; init; }

    /// <summary>Rows this delta takes in the table: one per group, or one marker row.</summary>
    public int RowCount => Math.Max(1, Groups.Count);

    /// <summary>Checks the range and partition.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (Partition is < 0 or > ushort.MaxValue)
        {
            throw new ArgumentException($"partition {Partition} is outside 0..{ushort.MaxValue}", nameof(Partition));
        }

        if (FirstOffset < 0 || LastOffset < FirstOffset)
        {
            throw new ArgumentException(
                $"partition {Partition}: offset range [{FirstOffset}, {LastOffset}] is invalid (need 0 <= first <= last)", nameof(FirstOffset));
        }

        if (FencingToken < 0)
        {
            throw new ArgumentException($"partition {Partition}: fencing token {FencingToken} is negative", nameof(FencingToken));
        }

        ArgumentNullException.ThrowIfNull(Groups);
    }
}
