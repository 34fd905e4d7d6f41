namespace Lambda.Shared.SpeedViews;

/// <summary>
/// One fence of a speed table: the owner that took <paramref name="Partition"/> with <paramref name="Token"/> resumes it at
/// <paramref name="StartOffset"/> (the largest <c>last_offset</c> it found stored, + 1; 0 when nothing was stored), so rows of
/// lower tokens that reach <paramref name="StartOffset"/> were written by an owner that had lost the partition (see
/// <see cref="SpeedFences"/>).
/// </summary>
/// <param name="Partition">Kafka partition.</param>
/// <param name="Token">The assignment's fencing token (from the speed layer's PostgreSQL sequence; larger = later).</param>
/// <param name="StartOffset">First position the new owner covers.</param>
public readonly record struct SpeedFence(int Partition, long Token, long StartOffset);
