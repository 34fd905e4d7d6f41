using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.Shared.Lookups;

/// <summary>Reads published lookup versions (the speed layer's refresher, the batch recompute, the admin endpoint's GET).</summary>
public interface ILookupReader
{
    /// <summary>The current version number of lookup <paramref name="name"/> (cheap: reads the CURRENT pointer); null when never published.</summary>
    Task<long?> CurrentVersionAsync(string name, CancellationToken cancellationToken);

    /// <summary>Version <paramref name="version"/> of <paramref name="lookup"/>, or null when it does not exist.</summary>
    /// <exception cref="InvalidDataException">The stored version does not fit the lookup's current definition.</exception>
    Task<LookupTable?> ReadVersionAsync(LookupDefinition lookup, long version, CancellationToken cancellationToken);

    /// <summary>The current version of every lookup of <paramref name="catalog"/> that has been published.</summary>
    Task<LookupSnapshot> ReadSnapshotAsync(LambdaCatalog catalog, CancellationToken cancellationToken);
}
