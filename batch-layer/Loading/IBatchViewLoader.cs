using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Loading;

/// <summary>Loads published batch-view days into the analysts' store (ClickHouse).</summary>
public interface IBatchViewLoader
{
    /// <summary>
    /// Replaces day <paramref name="day"/> of <paramref name="view"/>'s batch table with the rows of
    /// <paramref name="file"/>, atomically: readers see the old day or the new day, never a mix.
    /// Returns the number of rows loaded.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a file of the view, or holds rows of another day.</exception>
    Task<long> LoadDayAsync(ViewDefinition view, DateOnly day, string file, CancellationToken cancellationToken);
}
