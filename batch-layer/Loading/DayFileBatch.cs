using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Dataset;
using Lambda.Shared.Time;

namespace Lambda.BatchLayer.Loading;

/// <summary>
/// Day files of one view read and checked before anything is written to ClickHouse, in batches that one staging table and
/// one <c>INSERT</c> take: a load costs a few statements per batch, not per day (issue #16: per-day round trips made the
/// load of 162 small days take minutes on a loaded machine).
/// </summary>
public static class DayFileBatch
{
    /// <summary>
    /// At most this many days per batch: ClickHouse 19.x and later refuse an <c>INSERT</c> touching more partitions than
    /// <c>max_partitions_per_insert_block</c> (100 by default), and every day is a partition of the target tables.
    /// </summary>
    public const int MaxDays = 100;

    /// <summary>
    /// A batch is closed once it holds this many rows (groups), which bounds the memory of a load to about this many groups
    /// plus one day file.
    /// </summary>
    public const int MaxRows = 500_000;

    /// <summary>
    /// Reads <paramref name="days"/> in order and yields them in batches of at most <see cref="MaxDays"/> days and about
    /// <see cref="MaxRows"/> rows, each day's groups checked to lie inside its day.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is not a file of the view, or holds a row outside its day.</exception>
    /// <exception cref="ArgumentException">A day appears twice.</exception>
    public static async IAsyncEnumerable<IReadOnlyList<LoadedDayFile>> ReadAsync(
        BatchViewReader reader,
        ViewDefinition view,
        IReadOnlyList<BatchDayFile> days,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(days);

        // Two files for one day in one call would leave which one wins to the order of the swaps.
        var seen = new HashSet<DateOnly>();
        foreach (var day in days)
        {
            if (!seen.Add(day.Day.Day))
            {
                throw new ArgumentException($"Day {day.Day.Day:yyyy-MM-dd} of view {view.Name} is named twice.", nameof(days));
            }
        }

        var batch = new List<LoadedDayFile>();
        long rows = 0;
        foreach (var day in days)
        {
            var groups = await reader.ReadFileAsync(day.Path, view, cancellationToken).ConfigureAwait(false);
            CheckInsideDay(day, groups);
            batch.Add(new LoadedDayFile(day.Day, groups));
            rows += groups.Count;
            if (batch.Count == MaxDays || rows >= MaxRows)
            {
                yield return batch;
                batch = [];
                rows = 0;
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static void CheckInsideDay(BatchDayFile day, IReadOnlyList<ViewGroup> groups)
    {
        var dayStart = UtcDay.Start(day.Day.Day);
        var dayEnd = dayStart + GranularityExtensions.DayMilliseconds;
        foreach (var group in groups)
        {
            if (group.BucketStartMilliseconds < dayStart || group.BucketStartMilliseconds >= dayEnd)
            {
                throw new InvalidDataException($"{day.Day.File} holds a row of bucket {group.BucketStart:O}, outside its day {day.Day.Day:yyyy-MM-dd}.");
            }
        }
    }
}
