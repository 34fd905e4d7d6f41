using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Lambda.Shared.Measures;

namespace Lambda.Shared.Events;

/// <summary>
/// One event of a source with typed values: its UTC event time and one value per declared field,
/// accessed by field ordinal (<see cref="FieldDefinition.Ordinal"/>). Filled by
/// <see cref="EventParser.TryParse(ReadOnlySpan{byte}, EventRecord, out EventRejection)"/> from JSON, or by the setters (e.g. when the batch layer reads
/// archived rows back), and consumed by filters and <see cref="Aggregation.ViewAggregator"/>.
/// </summary>
/// <remarks>
/// A record is a reusable buffer: <see cref="Reset"/> (called by the parser) clears it in O(1) without
/// freeing memory, so parsing millions of events into one record allocates nothing. Strings are held as
/// UTF-8 bytes and become <see cref="string"/>s only when <see cref="GetString"/> is called. Not
/// thread-safe; use <see cref="Clone"/> to keep an event beyond the next parse.
/// </remarks>
public sealed class EventRecord
{
    private readonly FieldType[] _types;
    private readonly long[] _bits;
    private readonly int[] _stringOffset;
    private readonly int[] _stringLength;
    private readonly int[] _setStamp;
    private readonly int _fieldCount;
    private readonly Filtering.Expressions.DerivedFieldEvaluator? _derivation;
    private int _stamp = 1;
    private int _derivedStamp;
    private long _missedLookups;
    private LookupSnapshot _lookups = LookupSnapshot.Empty;
    private LookupTable?[] _tables;
    private int _timeStamp;
    private long _timestamp;
    private byte[] _arena;
    private int _arenaLength;

    /// <summary>Creates an empty record for <paramref name="source"/>.</summary>
    public EventRecord(SourceDefinition source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        _fieldCount = source.Fields.Count;
        _derivation = source.Derivation;
        var n = _fieldCount + source.DerivedFields.Count;
        _types = source.Fields.Concat(source.DerivedFields).Select(f => f.Type).ToArray();
        _bits = new long[n];
        _stringOffset = new int[n];
        _stringLength = new int[n];
        _setStamp = new int[n];
        _arena = new byte[256];
        _tables = new LookupTable?[source.Enrichments.Count];
    }

    /// <summary>The source whose fields this record holds.</summary>
    public SourceDefinition Source { get; }

    /// <summary>Number of declared fields (derived fields follow them, see <see cref="SourceDefinition.DerivedFields"/>).</summary>
    public int FieldCount => _fieldCount;

    /// <summary>True when the event time is set.</summary>
    public bool HasTimestamp => _timeStamp == _stamp;

    /// <summary>The event time as UTC epoch milliseconds.</summary>
    /// <exception cref="InvalidOperationException">Not set.</exception>
    public long TimestampMilliseconds => HasTimestamp
        ? _timestamp
        : throw new InvalidOperationException($"the event time '{Source.TimeField}' has not been set");

    /// <summary>The event time (UTC).</summary>
    /// <exception cref="InvalidOperationException">Not set.</exception>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampMilliseconds);

    /// <summary>True when the event time and every required (not optional) declared field are set.</summary>
    public bool IsComplete
    {
        get
        {
            if (!HasTimestamp)
            {
                return false;
            }

            for (var i = 0; i < _fieldCount; i++)
            {
                if (_setStamp[i] != _stamp && !Source.Fields[i].IsOptional)
                {
                    return false;
                }
            }

            return true;
        }
    }

    internal long RawTimestamp => _timestamp;

    /// <summary>
    /// The lookup versions the source's enrichments join with (default: none published, so every key misses). The
    /// speed layer sets the versions it holds, the batch layer those of its run; setting it recomputes the enriched
    /// fields at the next <see cref="ComputeDerived"/>.
    /// </summary>
    public LookupSnapshot Lookups
    {
        get => _lookups;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (ReferenceEquals(value, _lookups))
            {
                return;
            }

            _lookups = value;
            var enrichments = Source.Enrichments;
            for (var e = 0; e < enrichments.Count; e++)
            {
                _tables[e] = value.TryGet(enrichments[e].Lookup.Name, out var table) && table.Definition.Equals(enrichments[e].Lookup) ? table : null;
            }

            _derivedStamp = 0;
        }
    }

    /// <summary>
    /// After <see cref="ComputeDerived"/>: bit <c>e</c> is set when enrichment <c>e</c> (<see cref="SourceDefinition.Enrichments"/>)
    /// found no row valid at the event time; views using it then apply its lookup's <c>on_missing</c>.
    /// </summary>
    public long MissedLookups => _missedLookups;

    /// <summary>The table enrichment <paramref name="index"/> joins, or null when its lookup has none.</summary>
    internal LookupTable? TableOf(int index) => _tables[index];

    /// <summary>Clears every value (O(1); keeps the buffers).</summary>
    public void Reset()
    {
        _arenaLength = 0;
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_setStamp);
            _timeStamp = 0;
            _derivedStamp = 0;
            _stamp = 1;
        }
    }

    /// <summary>
    /// Computes the source's derived fields from the values set, once per event: again only after a value changes.
    /// <see cref="Aggregation.ViewAggregator"/> calls it before the filter; call it before reading derived values.
    /// </summary>
    public void ComputeDerived()
    {
        if (_derivation is not null && _derivedStamp != _stamp)
        {
            _missedLookups = _derivation.Compute(this);
            _derivedStamp = _stamp;
        }
    }

    /// <summary>True when field <paramref name="ordinal"/> has a value (false for a derived field that is null).</summary>
    public bool IsSet(int ordinal) => _setStamp[ordinal] == _stamp;

    /// <summary>The value of a <c>long</c> field.</summary>
    public long GetLong(int ordinal) => Get(ordinal, FieldKind.Long);

    /// <summary>The value of a <c>double</c> field.</summary>
    public double GetDouble(int ordinal) => BitConverter.Int64BitsToDouble(Get(ordinal, FieldKind.Double));

    /// <summary>The value of a <c>decimal</c> field, with exactly the field's scale.</summary>
    public decimal GetDecimal(int ordinal) => DecimalScaling.FromUnscaled(Get(ordinal, FieldKind.Decimal), _types[ordinal].Scale);

    /// <summary>The unscaled value (value·10^scale) of a <c>decimal</c> field.</summary>
    public long GetDecimalUnscaled(int ordinal) => Get(ordinal, FieldKind.Decimal);

    /// <summary>The value of a <c>bool</c> field.</summary>
    public bool GetBool(int ordinal) => Get(ordinal, FieldKind.Bool) != 0;

    /// <summary>The value of a <c>timestamp</c> field as UTC epoch milliseconds.</summary>
    public long GetTimestampMilliseconds(int ordinal) => Get(ordinal, FieldKind.Timestamp);

    /// <summary>The value of a <c>timestamp</c> field (UTC).</summary>
    public DateTimeOffset GetTimestamp(int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(Get(ordinal, FieldKind.Timestamp));

    /// <summary>The UTF-8 bytes of a <c>string</c> field (valid until the record is reset or changed).</summary>
    public ReadOnlySpan<byte> GetStringUtf8(int ordinal)
    {
        Get(ordinal, FieldKind.String);
        return RawUtf8(ordinal);
    }

    /// <summary>The value of a <c>string</c> field as a new string.</summary>
    public string GetString(int ordinal) => Encoding.UTF8.GetString(GetStringUtf8(ordinal));

    /// <summary>The value of field <paramref name="ordinal"/>, typed.</summary>
    /// <exception cref="InvalidOperationException">Not set.</exception>
    public FieldValue GetValue(int ordinal)
    {
        var type = _types[ordinal];
        EnsureSet(ordinal);
        return type.Kind == FieldKind.String ? FieldValue.FromString(GetString(ordinal)) : FieldValue.FromRawBits(type, _bits[ordinal]);
    }

    /// <summary>Every declared field's value in ordinal order (materialises strings).</summary>
    public FieldValue[] GetValues()
    {
        var values = new FieldValue[_fieldCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = GetValue(i);
        }

        return values;
    }

    /// <summary>Sets the event time (UTC epoch milliseconds).</summary>
    public void SetTimestamp(long epochMilliseconds) => SetTimestampRaw(epochMilliseconds);

    /// <summary>Sets the event time (converted to UTC; sub-millisecond parts are truncated).</summary>
    public void SetTimestamp(DateTimeOffset timestamp) => SetTimestamp(timestamp.ToUnixTimeMilliseconds());

    /// <summary>Sets a <c>long</c> field.</summary>
    public void SetLong(int ordinal, long value) => Set(ordinal, FieldKind.Long, value);

    /// <summary>Sets a <c>double</c> field.</summary>
    /// <exception cref="ArgumentException">NaN or infinity.</exception>
    public void SetDouble(int ordinal, double value) => Set(ordinal, FieldKind.Double, FieldValue.FromDouble(value).RawBits);

    /// <summary>Sets a <c>decimal</c> field; the value must fit the field's precision and scale.</summary>
    /// <exception cref="ArgumentException">Too many fractional or total digits.</exception>
    public void SetDecimal(int ordinal, decimal value) => Set(ordinal, FieldKind.Decimal, FieldValue.FromDecimal(value, _types[ordinal]).RawBits);

    /// <summary>Sets a <c>decimal</c> field from its unscaled value (value·10^scale).</summary>
    /// <exception cref="ArgumentException">Too many digits for the field's precision.</exception>
    public void SetDecimalUnscaled(int ordinal, long unscaled) =>
        Set(ordinal, FieldKind.Decimal, FieldValue.FromUnscaledDecimal(unscaled, _types[ordinal]).RawBits);

    /// <summary>Sets a <c>bool</c> field.</summary>
    public void SetBool(int ordinal, bool value) => Set(ordinal, FieldKind.Bool, value ? 1 : 0);

    /// <summary>Sets a <c>timestamp</c> field (UTC epoch milliseconds).</summary>
    public void SetTimestamp(int ordinal, long epochMilliseconds) =>
        Set(ordinal, FieldKind.Timestamp, FieldValue.FromTimestamp(epochMilliseconds).RawBits);

    /// <summary>Sets a <c>timestamp</c> field.</summary>
    public void SetTimestamp(int ordinal, DateTimeOffset value) => SetTimestamp(ordinal, value.ToUnixTimeMilliseconds());

    /// <summary>Sets a <c>string</c> field.</summary>
    public void SetString(int ordinal, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckKind(ordinal, FieldKind.String);
        var span = ReserveString(Encoding.UTF8.GetMaxByteCount(value.Length));
        CommitString(ordinal, Encoding.UTF8.GetBytes(value, span));
    }

    /// <summary>Sets a <c>string</c> field from UTF-8 bytes.</summary>
    /// <exception cref="ArgumentException">The bytes are not valid UTF-8.</exception>
    public void SetStringUtf8(int ordinal, ReadOnlySpan<byte> utf8)
    {
        CheckKind(ordinal, FieldKind.String);
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new ArgumentException($"field '{Source.Fields[ordinal].Name}': value is not valid UTF-8", nameof(utf8));
        }

        SetStringUnchecked(ordinal, utf8);
    }

    /// <summary>Sets field <paramref name="ordinal"/> from a typed value of the field's type.</summary>
    /// <exception cref="ArgumentException">The value's type is not the field's type.</exception>
    public void SetValue(int ordinal, FieldValue value)
    {
        if (value.Type != _types[ordinal])
        {
            throw new ArgumentException($"field '{Source.Fields[ordinal].Name}' is {_types[ordinal]}, the value is {value.Type}", nameof(value));
        }

        if (value.Type.Kind == FieldKind.String)
        {
            SetString(ordinal, value.AsString());
        }
        else
        {
            Set(ordinal, value.Type.Kind, value.RawBits);
        }
    }

    /// <summary>An independent copy holding the same values.</summary>
    public EventRecord Clone()
    {
        var copy = new EventRecord(Source) { Lookups = _lookups };
        if (HasTimestamp)
        {
            copy.SetTimestamp(_timestamp);
        }

        for (var i = 0; i < _fieldCount; i++)
        {
            if (!IsSet(i))
            {
                continue;
            }

            if (_types[i].Kind == FieldKind.String)
            {
                copy.SetStringUnchecked(i, RawUtf8(i));
            }
            else
            {
                copy.Set(i, _types[i].Kind, _bits[i]);
            }
        }

        return copy;
    }

    /// <summary><c>{ts=…, name=value, …}</c> with canonical values (unset fields shown as <c>?</c>).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("{");
        sb.Append(Source.TimeField).Append('=').Append(HasTimestamp ? Time.TimeBucket.ToIso(_timestamp) : "?");
        for (var i = 0; i < _fieldCount; i++)
        {
            sb.Append(", ").Append(Source.Fields[i].Name).Append('=').Append(IsSet(i) ? GetValue(i).ToCanonicalString() : "?");
        }

        return sb.Append('}').ToString();
    }

    /// <summary>Raw 64-bit value of a non-string field, unchecked (hot path for filters and measures).</summary>
    internal long RawBits(int ordinal) => _bits[ordinal];

    /// <summary>UTF-8 bytes of a string field, unchecked (hot path).</summary>
    internal ReadOnlySpan<byte> RawUtf8(int ordinal) => new(_arena, _stringOffset[ordinal], _stringLength[ordinal]);

    internal void SetRaw(int ordinal, long bits)
    {
        _bits[ordinal] = bits;
        _setStamp[ordinal] = _stamp;
        _derivedStamp = 0;
    }

    internal void SetTimestampRaw(long epochMilliseconds)
    {
        _timestamp = epochMilliseconds;
        _timeStamp = _stamp;
        _derivedStamp = 0;
    }

    /// <summary>Sets a derived field's value (raw form) without invalidating the other derived values.</summary>
    internal void SetDerivedBits(int ordinal, long bits)
    {
        _bits[ordinal] = bits;
        _setStamp[ordinal] = _stamp;
    }

    /// <summary>Sets a derived string field (the bytes may lie in this record's arena).</summary>
    internal void SetDerivedUtf8(int ordinal, ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(ReserveString(utf8.Length));
        CommitStringCore(ordinal, utf8.Length);
    }

    /// <summary>Makes a derived field null.</summary>
    internal void SetDerivedNull(int ordinal) => _setStamp[ordinal] = 0;

    /// <summary>Space for an intermediate string of an expression; follow with <see cref="CommitScratch"/>.</summary>
    internal Span<byte> ReserveScratch(int maxLength) => ReserveString(maxLength);

    /// <summary>Keeps the first <paramref name="length"/> reserved bytes until the next <see cref="Reset"/>; returns their offset.</summary>
    internal int CommitScratch(int length, out ReadOnlySpan<byte> bytes)
    {
        var offset = _arenaLength;
        bytes = new ReadOnlySpan<byte>(_arena, offset, length);
        _arenaLength += length;
        return offset;
    }

    /// <summary>Bytes kept by <see cref="CommitScratch"/> at <paramref name="offset"/>.</summary>
    internal ReadOnlySpan<byte> ScratchAt(int offset, int length) => new(_arena, offset, length);

    /// <summary>Space for a string of at most <paramref name="maxLength"/> bytes at the end of the arena; follow with <see cref="CommitString"/>.</summary>
    internal Span<byte> ReserveString(int maxLength)
    {
        if (_arena.Length - _arenaLength < maxLength)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaLength + maxLength));
        }

        return _arena.AsSpan(_arenaLength, maxLength);
    }

    internal void CommitString(int ordinal, int length)
    {
        CommitStringCore(ordinal, length);
        _derivedStamp = 0;
    }

    private void CommitStringCore(int ordinal, int length)
    {
        _stringOffset[ordinal] = _arenaLength;
        _stringLength[ordinal] = length;
        _arenaLength += length;
        _setStamp[ordinal] = _stamp;
    }

    internal void SetStringUnchecked(int ordinal, ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(ReserveString(utf8.Length));
        CommitString(ordinal, utf8.Length);
    }

    private long Get(int ordinal, FieldKind kind)
    {
        CheckKind(ordinal, kind);
        EnsureSet(ordinal);
        return _bits[ordinal];
    }

    private void Set(int ordinal, FieldKind kind, long bits)
    {
        CheckKind(ordinal, kind);
        SetRaw(ordinal, bits);
    }

    private void CheckKind(int ordinal, FieldKind kind)
    {
        if (_types[ordinal].Kind != kind)
        {
            throw new InvalidOperationException(
                $"field '{Source.Fields[ordinal].Name}' of source '{Source.Name}' is {_types[ordinal]}, not {kind.ToString().ToLowerInvariant()}");
        }
    }

    private void EnsureSet(int ordinal)
    {
        if (_setStamp[ordinal] != _stamp)
        {
            throw new InvalidOperationException($"field '{Source.Fields[ordinal].Name}' of source '{Source.Name}' has not been set");
        }
    }
}
