using Lambda.Shared.BatchViews;
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
    /// Replaces day <paramref name="day"/> of <paramref name="view"/>'s batch table with the rows of the file at
    /// <paramref name="path"/> (the absolute path of <paramref name="day"/>'s file), atomically: readers see the
    /// old day or the new day, never a mix. Afterwards <see cref="GetLoadedDaysAsync"/> reports
    /// <paramref name="day"/>'s run id and file for that day. Returns the number of rows loaded.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a file of the view, or holds rows of another day.</exception>
    Task<long> LoadDayAsync(ViewDefinition view, BatchViewDay day, string path, CancellationToken cancellationToken);
}
