using System.Collections.Frozen;

namespace Lambda.Shared.ClickHouse;

/// <summary>The columns of one result and what reading their values needs (time zones of DateTime columns).</summary>
internal sealed class ClickHouseResultSchema
{
    private readonly FrozenDictionary<string, int> _ordinals;
    private readonly TimeZoneInfo?[] _timeZones;
    private readonly string?[] _timeZoneNames;

    public ClickHouseResultSchema(IReadOnlyList<ClickHouseColumn> columns)
    {
        Columns = columns;
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            ordinals.TryAdd(columns[i].Name, i);
        }

        _ordinals = ordinals.ToFrozenDictionary(StringComparer.Ordinal);
        _timeZones = new TimeZoneInfo?[columns.Count];
        _timeZoneNames = new string?[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            _timeZoneNames[i] = DateTimeZoneOf(columns[i].Type);
        }
    }

    public IReadOnlyList<ClickHouseColumn> Columns { get; }

    /// <summary>Whether a DateTime column without its own time zone needs the server's.</summary>
    public bool NeedsServerTimeZone => _timeZoneNames.Any(name => name is { Length: 0 });

    public int GetOrdinal(string name) =>
        _ordinals.TryGetValue(name, out var ordinal)
            ? ordinal
            : throw new ArgumentException(
                $"The result has no column '{name}' (columns: {string.Join(", ", Columns.Select(c => c.Name))}).", nameof(name));

    /// <summary>Resolves the time zone of every DateTime column; an empty name in the type means the server's.</summary>
    public void ResolveTimeZones(string? serverTimeZone)
    {
        for (var i = 0; i < _timeZoneNames.Length; i++)
        {
            var name = _timeZoneNames[i] is { Length: 0 } ? serverTimeZone : _timeZoneNames[i];
            if (name is { Length: > 0 })
            {
                _timeZoneNames[i] = name;
                _timeZones[i] = FindTimeZone(name);
            }
        }
    }

    /// <summary>The zone a DateTime column's text is written in; null when the column is UTC.</summary>
    public TimeZoneInfo? TimeZoneOf(int ordinal)
    {
        var name = _timeZoneNames[ordinal];
        if (name is null)
        {
            return null;
        }

        return _timeZones[ordinal] ?? throw new InvalidOperationException(
            name.Length == 0
                ? $"Column '{Columns[ordinal].Name}' is a DateTime in the server's time zone, which is unknown."
                : $"Column '{Columns[ordinal].Name}' is a DateTime in time zone '{name}', which this machine does not know.");
    }

    /// <summary>null: not a DateTime; "": DateTime in the server's zone; otherwise the zone named in the type.</summary>
    internal static string? DateTimeZoneOf(string type)
    {
        var core = Unwrap(type);
        if (core == "DateTime")
        {
            return "";
        }

        if (core.StartsWith("DateTime(", StringComparison.Ordinal) && core.EndsWith(')'))
        {
            return core["DateTime(".Length..^1].Trim().Trim('\'');
        }

        return null;
    }

    /// <summary>The type inside Nullable(...) and LowCardinality(...).</summary>
    internal static string Unwrap(string type)
    {
        var core = type.Trim();
        while (true)
        {
            if (core.StartsWith("Nullable(", StringComparison.Ordinal) && core.EndsWith(')'))
            {
                core = core["Nullable(".Length..^1].Trim();
            }
            else if (core.StartsWith("LowCardinality(", StringComparison.Ordinal) && core.EndsWith(')'))
            {
                core = core["LowCardinality(".Length..^1].Trim();
            }
            else
            {
                return core;
            }
        }
    }

    private static TimeZoneInfo? FindTimeZone(string name)
    {
        if (TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone))
        {
            // UTC under any of its names needs no conversion.
            return zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime ? TimeZoneInfo.Utc : zone;
        }

        return null;
    }
}
