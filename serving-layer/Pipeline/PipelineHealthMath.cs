using Lambda.Shared.Kafka.Epochs;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>The arithmetic of a pipeline health sample, apart from the reads, so it can be checked by hand.</summary>
public static class PipelineHealthMath
{
    /// <summary>
    /// Events per second between two sums of the topic's log ends; null without a previous sum, when no time passed, or
    /// when the sum went down (a new broker or offset epoch: the two sums count different logs).
    /// </summary>
    public static double? EventsPerSecond(long? previousSum, DateTimeOffset? previousTime, long sum, DateTimeOffset now)
    {
        if (previousSum is not { } before || previousTime is not { } then || now <= then || sum < before)
        {
            return null;
        }

        return (sum - before) / (now - then).TotalSeconds;
    }

    /// <summary>
    /// Events of one partition the speed layer has not stored: the log end minus the next offset it would store, which is
    /// one past the stored position's offset (its epoch bits dropped: the stored position is of the newest epoch the speed
    /// layer consumed) and never before the log start (evicted events cannot be stored any more); zero when negative.
    /// Without a stored position everything the broker holds is lag.
    /// </summary>
    public static long PartitionLag(PartitionLog log, long? storedPosition)
    {
        var next = storedPosition is { } position ? Math.Max(log.Low, KafkaPosition.OffsetOf(position) + 1) : log.Low;
        return Math.Max(0, log.High - next);
    }

    /// <summary>One view's lag: <see cref="PartitionLag"/> summed over the topic's partitions.</summary>
    public static long ViewLag(IReadOnlyDictionary<int, PartitionLog> logs, IReadOnlyDictionary<int, long> storedPositions)
    {
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(storedPositions);
        long lag = 0;
        foreach (var (partition, log) in logs)
        {
            lag += PartitionLag(log, storedPositions.TryGetValue(partition, out var position) ? position : null);
        }

        return lag;
    }

    /// <summary>
    /// The source's speed lag (its slowest view's) and freshness: the longest time since a lagging view's newest flush,
    /// zero when no view lags, null when a lagging view never flushed (how long its events waited is not known).
    /// Null lag and freshness for a source without views.
    /// </summary>
    public static (long? Lag, TimeSpan? Freshness) SpeedLag(IReadOnlyDictionary<int, PartitionLog> logs, IReadOnlyList<SpeedProgress> views, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count == 0)
        {
            return (null, null);
        }

        long lag = 0;
        TimeSpan? freshness = TimeSpan.Zero;
        foreach (var view in views)
        {
            var viewLag = ViewLag(logs, view.MaxPositions);
            lag = Math.Max(lag, viewLag);
            if (viewLag > 0 && freshness is { } longest)
            {
                freshness = view.NewestFlush is { } flushed ? Max(longest, Max(TimeSpan.Zero, now - flushed)) : null;
            }
        }

        return (lag, freshness);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
