namespace Lambda.Shared.Lookups;

/// <summary>
/// Where two versions of a lookup join differently: the earliest event time at which some key's valid row (its values)
/// differs between them. Every event before it joins the same values in both, so results computed with the older
/// version stay right for those times; a recompute redoes the days from it on.
/// </summary>
public static class LookupChanges
{
    /// <summary>
    /// The earliest event time (UTC epoch milliseconds) at which <paramref name="before"/> and <paramref name="after"/>
    /// join some key differently; <see cref="long.MinValue"/> when they differ for every time (an unversioned change);
    /// null when they join identically. A null table is a lookup with no rows.
    /// </summary>
    public static long? EarliestDifference(LookupTable? before, LookupTable? after)
    {
        var old = Timelines(before);
        var now = Timelines(after);
        long? earliest = null;
        foreach (var key in old.Keys.Union(now.Keys))
        {
            var a = old.TryGetValue(key, out var x) ? x : [];
            var b = now.TryGetValue(key, out var y) ? y : [];
            foreach (var point in a.Select(r => r.From).Union(b.Select(r => r.From)).Order())
            {
                if (earliest is { } e && point >= e)
                {
                    break;
                }

                if (!SameValues(At(a, point), At(b, point)))
                {
                    earliest = point;
                    break;
                }
            }
        }

        return earliest;
    }

    private static Dictionary<string, List<(long From, LookupRow Row)>> Timelines(LookupTable? table)
    {
        var timelines = new Dictionary<string, List<(long, LookupRow)>>(StringComparer.Ordinal);
        foreach (var row in table?.Rows ?? [])
        {
            var key = string.Join("\u001f", row.Keys.Select(k => k.ToCanonicalString()));
            if (!timelines.TryGetValue(key, out var list))
            {
                timelines.Add(key, list = []);
            }

            list.Add((row.ValidFromMilliseconds ?? long.MinValue, row));
        }

        foreach (var list in timelines.Values)
        {
            list.Sort((p, q) => p.Item1.CompareTo(q.Item1));
        }

        return timelines;
    }

    private static LookupRow? At(List<(long From, LookupRow Row)> timeline, long time)
    {
        LookupRow? found = null;
        foreach (var (from, row) in timeline)
        {
            if (from > time)
            {
                break;
            }

            found = row;
        }

        return found;
    }

    private static bool SameValues(LookupRow? a, LookupRow? b) =>
        a is null ? b is null : b is not null && a.Values.SequenceEqual(b.Values);
}
