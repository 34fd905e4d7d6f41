using Lambda.Shared.Aggregation;

namespace Lambda.ServingLayer.Querying;

/// <summary>What <see cref="ISpeedViewReader.ReadAsync"/> found.</summary>
/// <param name="Groups">The selected deltas, merged per (bucket, dimensions).</param>
/// <param name="NextOffsets">Per partition with a flush read, the offset after the newest one (max(last_offset) + 1, marker
/// rows included): how far the speed layer had got, and where the next read of new flushes starts. The groups hold
/// exactly the flushes below it. Partitions without a flush at or above the read's start are absent.</param>
public sealed record SpeedViewRead(IReadOnlyList<ViewGroup> Groups, IReadOnlyDictionary<int, long> NextOffsets);
