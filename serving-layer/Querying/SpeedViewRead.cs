using Lambda.Shared.Aggregation;

namespace Lambda.ServingLayer.Querying;

/// <summary>What <see cref="ISpeedViewStore.ReadAsync"/> found.</summary>
/// <param name="Groups">The selected deltas, merged per (bucket, dimensions).</param>
/// <param name="NextOffsets">Per partition, the offset after the newest flush in the speed table (max(last_offset) + 1,
/// marker rows included): how far the speed layer had got. Partitions without any flush are absent.</param>
public sealed record SpeedViewRead(IReadOnlyList<ViewGroup> Groups, IReadOnlyDictionary<int, long> NextOffsets);
