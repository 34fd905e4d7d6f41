namespace Lambda.ServingLayer.Pipeline;

/// <summary>What one view's speed table holds, as far as lag is concerned.</summary>
/// <param name="MaxPositions">Per partition, the largest stored <c>last_offset</c> (a position: epoch and offset, see <c>KafkaPosition</c>).</param>
/// <param name="NewestFlush">The newest <c>flushed_at</c> of the table (whole seconds, UTC); null when it holds no rows.</param>
public sealed record SpeedProgress(IReadOnlyDictionary<int, long> MaxPositions, DateTimeOffset? NewestFlush);
