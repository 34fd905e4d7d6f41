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

    /// <summary>
    /// The given <paramref name="versions"/> (lookup name to version) of <paramref name="catalog"/>'s lookups: what a
    /// recompute run pinned, or what a published view was computed with. Version 0 (nothing was published) joins nothing.
    /// </summary>
    /// <param name="reader">Where the versions are stored.</param>
    /// <param name="catalog">The catalog declaring the lookups.</param>
    /// <param name="versions">Lookup name to version.</param>
    /// <param name="owner">Who joins them, for the messages (e.g. "recompute run X").</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="InvalidDataException">The catalog does not declare a named lookup, or the storage lacks a version.</exception>
    public static async Task<LookupSnapshot> ReadVersionsAsync(
        ILookupReader reader, LambdaCatalog catalog, IReadOnlyDictionary<string, long> versions, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(versions);
        var tables = new List<LookupTable>();
        foreach (var (name, version) in versions.Where(v => v.Value > 0).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var definition = catalog.Lookups.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.Ordinal))
                ?? throw new InvalidDataException($"{owner} joins lookup '{name}', which this catalog does not declare");
            tables.Add(await reader.ReadVersionAsync(definition, version, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"{owner} joins version {version} of lookup '{name}', which the storage does not hold"));
        }

        return new LookupSnapshot(tables);
    }
}
