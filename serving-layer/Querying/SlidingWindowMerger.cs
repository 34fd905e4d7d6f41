using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// Turns one group's merged states per bucket into its sliding-window rows: for every bucket b of the query's range
/// whose window (<see cref="TrailingWindow.OfBucket"/>) holds data of the group, the merge of the group's buckets in
/// that window. States are merged, never finalised values, so every measure (distinct counts and quantiles included)
/// is what merging the window's events directly gives.
/// </summary>
/// <remarks>
/// Cost per group with n stored buckets and r rows: O(n + r) merges and copies (<see cref="WindowQueue"/>), whatever
/// the window's length; the buckets the window holds are in memory for one group at a time.
/// </remarks>
internal static class SlidingWindowMerger
{
    /// <summary>Appends the rows of one group to <paramref name="rows"/>.</summary>
    /// <param name="window">The window.</param>
    /// <param name="range">The rows' buckets (aligned to the window's granularity).</param>
    /// <param name="dimensions">The group's dimension values.</param>
    /// <param name="buckets">The group's buckets in the read range (<see cref="TrailingWindow.ReadRange"/>), ordered by start.</param>
    /// <param name="rows">Receives the rows, in bucket order.</param>
    public static void SlideGroup(
        TrailingWindow window,
        TimeRange range,
        IReadOnlyList<FieldValue> dimensions,
        IReadOnlyList<(long Bucket, IReadOnlyList<MeasureState> States)> buckets,
        List<ResultRow> rows)
    {
        if (buckets.Count == 0)
        {
            return;
        }

        var width = window.Granularity.ToMilliseconds();
        var queue = new WindowQueue();
        var next = 0;
        var bucket = Math.Max(buckets[0].Bucket, range.StartMilliseconds);
        while (bucket < range.EndMilliseconds)
        {
            var windowRange = window.OfBucket(bucket);
            while (next < buckets.Count && buckets[next].Bucket < windowRange.EndMilliseconds)
            {
                queue.Push(buckets[next].Bucket, buckets[next].States);
                next++;
            }

            while (queue.Count > 0 && queue.OldestBucket < windowRange.StartMilliseconds)
            {
                queue.Pop();
            }

            if (queue.Count == 0)
            {
                if (next == buckets.Count)
                {
                    break;
                }

                // Nothing of the group until its next bucket: skip the empty windows.
                bucket = buckets[next].Bucket;
                continue;
            }

            rows.Add(new ResultRow(bucket, dimensions, queue.Merge()));
            bucket += width;
        }
    }
}
