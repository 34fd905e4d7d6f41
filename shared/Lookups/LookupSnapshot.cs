using System.Diagnostics.CodeAnalysis;

namespace Lambda.Shared.Lookups;

/// <summary>
/// The lookup versions a layer joins with: at most one <see cref="LookupTable"/> per lookup name. A lookup with no
/// table (never published) has no rows, so every event misses it. Immutable; a new publish gives a new snapshot.
/// </summary>
public sealed class LookupSnapshot
{
    private readonly Dictionary<string, LookupTable> _tables;

    /// <summary>Creates a snapshot of <paramref name="tables"/> (one per lookup name).</summary>
    public LookupSnapshot(IEnumerable<LookupTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        _tables = tables.ToDictionary(t => t.Definition.Name, StringComparer.Ordinal);
    }

    /// <summary>No lookup published.</summary>
    public static LookupSnapshot Empty { get; } = new([]);

    /// <summary>The tables by lookup name.</summary>
    public IReadOnlyDictionary<string, LookupTable> Tables => _tables;

    /// <summary>The version of each lookup held, by name.</summary>
    public IReadOnlyDictionary<string, long> Versions => _tables.ToDictionary(kv => kv.Key, kv => kv.Value.Version, StringComparer.Ordinal);

    /// <summary>The table of lookup <paramref name="name"/>.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out LookupTable? table) => _tables.TryGetValue(name, out table);

    /// <summary>A snapshot with <paramref name="table"/> replacing the lookup's previous version.</summary>
    public LookupSnapshot With(LookupTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return new LookupSnapshot(_tables.Values.Where(t => t.Definition.Name != table.Definition.Name).Append(table));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", _tables.Values.OrderBy(t => t.Definition.Name, StringComparer.Ordinal));
}
