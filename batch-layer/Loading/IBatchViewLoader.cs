using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Loading;

/// <summary>
/// Loads published batch-view days into the analysts' store (ClickHouse) and tells which published file each
/// day of a view's table holds, so a caller loads only what the manifest names and the store does not hold yet.
/// </summary>
public interface IBatchViewLoader
{
    /// <summary>
    /// The days <paramref name="view"/>'s batch table (of its current definition) holds, each with the file
    /// last loaded into it; a day never loaded (or whose table does not exist yet) is absent.
    /// </summary>
    Task<IReadOnlyDictionary<DateOnly, LoadedBatchDay>> GetLoadedDaysAsync(ViewDefinition view, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces each day of <paramref name="days"/> in <paramref name="view"/>'s batch table with the rows of its file,
    /// atomically per day: readers see a day's old rows or its new rows, never a mix. Days are read, swapped and recorded
    /// in batches, in the given order; afterwards <see cref="GetLoadedDaysAsync"/> reports each day's run id and file. When
    /// it fails, the days of the batches before the failing one are loaded and reported; the other days keep their rows.
    /// Returns the number of rows loaded.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is not a file of the view, or holds rows of another day.</exception>
    /// <exception cref="ArgumentException">A day is named twice.</exception>
    Task<long> LoadDaysAsync(ViewDefinition view, IReadOnlyList<BatchDayFile> days, CancellationToken cancellationToken);
}
