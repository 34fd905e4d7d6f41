using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.Shared.Lookups;

/// <summary>The one way to assemble a <see cref="LookupSnapshot"/> from any <see cref="ILookupReader"/>.</summary>
public static class LookupSnapshots
{
    /// <summary>The current version of every lookup of <paramref name="catalog"/> that has been published.</summary>
    public static async Task<LookupSnapshot> ReadCurrentAsync(ILookupReader reader, LambdaCatalog catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(catalog);
        var tables = new List<LookupTable>();
        foreach (var lookup in catalog.Lookups)
        {
            if (await reader.CurrentVersionAsync(lookup.Name, cancellationToken).ConfigureAwait(false) is { } version
                && await reader.ReadVersionAsync(lookup, version, cancellationToken).ConfigureAwait(false) is { } table)
            {
                tables.Add(table);
            }
        }

        return new LookupSnapshot(tables);
    }
}
