namespace Lambda.Testing.Oracles;

/// <summary>
/// A reference table joined the oracle's own way, without the platform's lookup code: for a key, the row whose
/// <c>valid_from</c> is the greatest at or before the event time (an unversioned row is valid from the beginning of
/// time); none when the key has no such row. Rows are kept per key sorted by their first valid day.
/// </summary>
public sealed class OracleLookup
{
    private readonly Dictionary<string, List<OracleLookupRow>> _byKey = new(StringComparer.Ordinal);

    /// <summary>A table of <paramref name="rows"/> (one version of a lookup, as published).</summary>
    public OracleLookup(IEnumerable<OracleLookupRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Rows = rows.ToArray();
        foreach (var row in Rows)
        {
            if (!_byKey.TryGetValue(row.Key, out var list))
            {
                list = [];
                _byKey.Add(row.Key, list);
            }

            list.Add(row);
        }

        foreach (var list in _byKey.Values)
        {
            list.Sort((a, b) => Start(a).CompareTo(Start(b)));
        }
    }

    /// <summary>The rows, in the order given.</summary>
    public IReadOnlyList<OracleLookupRow> Rows { get; }

    /// <summary>The row of <paramref name="key"/> valid at <paramref name="eventMilliseconds"/> (epoch ms), or null.</summary>
    public OracleLookupRow? RowAt(string key, long eventMilliseconds)
    {
        if (!_byKey.TryGetValue(key, out var list))
        {
            return null;
        }

        OracleLookupRow? valid = null;
        foreach (var row in list)
        {
            if (Start(row) > eventMilliseconds)
            {
                break;
            }

            valid = row;
        }

        return valid;
    }

    private static long Start(OracleLookupRow row) => row.ValidFrom is { } day
        ? (long)(day.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber) * 86_400_000L
        : long.MinValue;
}
