using System.Globalization;
using System.Text;
using System.Text.Json;
using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;

namespace Lambda.Shared.Events;

/// <summary>
/// Parses message values (UTF-8 JSON objects) of one source into <see cref="EventRecord"/>s, or rejects
/// them with a precise <see cref="EventRejection"/>.
/// </summary>
/// <remarks>
/// <para>Rules: the message must be at most <see cref="EventParserOptions.MaxEventBytes"/> bytes and one
/// JSON object. The event-time property and every required declared field must be present exactly once; an
/// optional field (<c>type?</c>) may be absent or JSON null, and then takes its default or stays unset (null); other
/// properties (of any shape) are ignored. Event time: an ISO-8601 string with an offset (<c>Z</c> or
/// <c>±hh:mm</c>) or an integer number of epoch milliseconds, normalised to UTC, sub-millisecond digits
/// truncated, inside [<see cref="EventParserOptions.MinEventTime"/>, <see cref="EventParserOptions.MaxEventTime"/>).
/// Field values: <c>string</c> a JSON string; <c>long</c> an integer number in range; <c>double</c> a finite
/// number; <c>decimal(p,s)</c> a number with at most s decimal places (trailing zeros beyond s are fine) and
/// at most p-s integer digits; <c>bool</c> <c>true</c>/<c>false</c>; <c>timestamp</c> like the event time
/// but any representable instant. JSON null is a wrong type for every required field. Numbers in strings are not
/// coerced.</para>
/// <para>Parsing reuses the target record and allocates nothing for accepted events. A parser holds no
/// per-call state and may be shared by threads, each with its own target record.</para>
/// </remarks>
public sealed class EventParser
{
    private const int TimeOrdinal = -2;
    private const int Unknown = -1;

    private readonly byte[][] _names;
    private readonly FieldType[] _types;
    private readonly string[] _fieldNames;
    private readonly bool[] _optional;
    private readonly FieldValue?[] _defaults;
    private readonly byte[] _timeName;
    private readonly long _minTime;
    private readonly long _maxTime;
    private readonly int _maxBytes;

    /// <summary>Creates a parser for <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public EventParser(SourceDefinition source, EventParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        Options = options ?? EventParserOptions.Default;
        Options.Validate();
        Source = source;
        _names = source.Fields.Select(f => Encoding.UTF8.GetBytes(f.Name)).ToArray();
        _fieldNames = source.Fields.Select(f => f.Name).ToArray();
        _types = source.Fields.Select(f => f.Type).ToArray();
        _optional = source.Fields.Select(f => f.IsOptional).ToArray();
        _defaults = source.Fields.Select(f => f.Default).ToArray();
        _timeName = Encoding.UTF8.GetBytes(source.TimeField);
        _minTime = Options.MinEventTime.ToUnixTimeMilliseconds();
        _maxTime = Options.MaxEventTime.ToUnixTimeMilliseconds();
        _maxBytes = Options.MaxEventBytes;
    }

    /// <summary>The source whose events this parser reads.</summary>
    public SourceDefinition Source { get; }

    /// <summary>The limits in force.</summary>
    public EventParserOptions Options { get; }

    /// <summary>A new record for this parser's source.</summary>
    public EventRecord CreateRecord() => new(Source);

    /// <summary>
    /// Parses <paramref name="utf8Json"/> into <paramref name="target"/> (which is reset first).
    /// </summary>
    /// <returns>True when the event is accepted; otherwise <paramref name="rejection"/> says why and the record's content is unspecified.</returns>
    /// <exception cref="ArgumentException"><paramref name="target"/> belongs to another source.</exception>
    public bool TryParse(ReadOnlySpan<byte> utf8Json, EventRecord target, out EventRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!ReferenceEquals(target.Source, Source))
        {
            throw new ArgumentException($"the record belongs to source '{target.Source.Name}', the parser to '{Source.Name}'", nameof(target));
        }

        target.Reset();
        if (utf8Json.Length > _maxBytes)
        {
            return Reject(out rejection, RejectionReason.TooLarge, null, $"message is {utf8Json.Length} bytes; the limit is {_maxBytes}");
        }

        if (utf8Json.IsEmpty)
        {
            return Reject(out rejection, RejectionReason.NotJson, null, "message is empty");
        }

        try
        {
            return ParseObject(utf8Json, target, out rejection);
        }
        catch (JsonException ex)
        {
            return Reject(out rejection, RejectionReason.NotJson, null, $"message is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>Parses into a new record; convenient outside hot paths.</summary>
    public bool TryParse(ReadOnlySpan<byte> utf8Json, out EventRecord record, out EventRejection rejection)
    {
        record = new EventRecord(Source);
        return TryParse(utf8Json, record, out rejection);
    }

    private static bool Reject(out EventRejection rejection, RejectionReason reason, string? field, string message)
    {
        rejection = new EventRejection(reason, field, message);
        return false;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };

    private static string Text(ReadOnlySpan<byte> raw) =>
        raw.Length <= 48 ? Encoding.UTF8.GetString(raw) : Encoding.UTF8.GetString(raw[..48]) + "…";

    private bool ParseObject(ReadOnlySpan<byte> utf8Json, EventRecord target, out EventRejection rejection)
    {
        var reader = new Utf8JsonReader(utf8Json, default(JsonReaderOptions));
        if (!reader.Read())
        {
            return Reject(out rejection, RejectionReason.NotJson, null, "message holds no JSON value");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            var kind = Describe(reader.TokenType);
            reader.Skip();
            while (reader.Read())
            {
                // Reading to the end makes trailing garbage surface as NotJson rather than NotAnObject.
            }

            return Reject(out rejection, RejectionReason.NotAnObject, null, $"message is {kind}, not a JSON object");
        }

        var timeSeen = false;
        // Per call, so that a parser stays shareable: which optional fields came as JSON null (to catch duplicates).
        Span<bool> nulls = _types.Length <= 256 ? stackalloc bool[_types.Length] : new bool[_types.Length];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var ordinal = Lookup(ref reader);
            reader.Read();
            if (ordinal == Unknown)
            {
                reader.Skip();
                continue;
            }

            if (ordinal == TimeOrdinal)
            {
                if (timeSeen)
                {
                    return Reject(out rejection, RejectionReason.DuplicateField, Source.TimeField, $"event time '{Source.TimeField}' appears more than once");
                }

                timeSeen = true;
                if (!ParseEventTime(ref reader, target, out rejection))
                {
                    return false;
                }

                continue;
            }

            if (target.IsSet(ordinal) || nulls[ordinal])
            {
                return Reject(out rejection, RejectionReason.DuplicateField, _fieldNames[ordinal], $"field '{_fieldNames[ordinal]}' appears more than once");
            }

            if (reader.TokenType == JsonTokenType.Null && _optional[ordinal])
            {
                // Null is absent for an optional field: its default, or no value.
                if (_defaults[ordinal] is { } value)
                {
                    target.SetValue(ordinal, value);
                }
                else
                {
                    nulls[ordinal] = true;
                }

                continue;
            }

            if (!ParseField(ref reader, ordinal, target, out rejection))
            {
                return false;
            }
        }

        // The closing brace has been read; this surfaces trailing content as a JsonException.
        if (reader.Read())
        {
            return Reject(out rejection, RejectionReason.NotJson, null, "message holds more than one JSON value");
        }

        if (!timeSeen)
        {
            return Reject(out rejection, RejectionReason.MissingField, Source.TimeField, $"event time '{Source.TimeField}' is missing");
        }

        for (var i = 0; i < _types.Length; i++)
        {
            if (!target.IsSet(i) && !nulls[i])
            {
                if (_optional[i])
                {
                    if (_defaults[i] is { } value)
                    {
                        target.SetValue(i, value);
                    }

                    continue;
                }

                return Reject(out rejection, RejectionReason.MissingField, _fieldNames[i], $"field '{_fieldNames[i]}' ({_types[i]}) is missing");
            }
        }

        rejection = default;
        return true;
    }

    private int Lookup(ref Utf8JsonReader reader)
    {
        scoped ReadOnlySpan<byte> name;
        Span<byte> buffer = stackalloc byte[128];
        if (reader.ValueIsEscaped)
        {
            if (reader.ValueSpan.Length > buffer.Length)
            {
                return Unknown;
            }

            name = buffer[..reader.CopyString(buffer)];
        }
        else
        {
            name = reader.ValueSpan;
        }

        var names = _names;
        for (var i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                return i;
            }
        }

        return name.SequenceEqual(_timeName) ? TimeOrdinal : Unknown;
    }

    private bool ParseEventTime(ref Utf8JsonReader reader, EventRecord target, out EventRejection rejection)
    {
        var name = Source.TimeField;
        long ms;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (!reader.TryGetInt64(out ms))
                {
                    return Reject(out rejection, RejectionReason.InvalidTime, name,
                        $"event time '{name}' = {Text(reader.ValueSpan)} is not an integer number of epoch milliseconds");
                }

                break;
            case JsonTokenType.String:
                if (!TryParseIso(ref reader, out ms, out var error))
                {
                    return Reject(out rejection, RejectionReason.InvalidTime, name, $"event time '{name}' {error}");
                }

                break;
            default:
                return Reject(out rejection, RejectionReason.InvalidTime, name,
                    $"event time '{name}' must be an ISO-8601 string or epoch milliseconds, got {Describe(reader.TokenType)}");
        }

        if (ms < _minTime || ms >= _maxTime)
        {
            var hint = reader.TokenType == JsonTokenType.Number && ms is > 0 and < 100_000_000_000L ? " (epoch seconds instead of milliseconds?)" : string.Empty;
            var shown = ms >= FieldValue.MinTimestampMilliseconds && ms <= FieldValue.MaxTimestampMilliseconds
                ? Time.TimeBucket.ToIso(ms)
                : ms.ToString(CultureInfo.InvariantCulture);
            return Reject(out rejection, RejectionReason.TimeOutOfRange, name,
                $"event time '{name}' = {shown} is outside [{Time.TimeBucket.ToIso(_minTime)}, {Time.TimeBucket.ToIso(_maxTime)}){hint}");
        }

        target.SetTimestampRaw(ms);
        rejection = default;
        return true;
    }

    private static bool TryParseIso(ref Utf8JsonReader reader, out long ms, out string? error)
    {
        try
        {
            return EventTime.TryParseIso(ref reader, out ms, out error);
        }
        catch (InvalidOperationException)
        {
            ms = 0;
            error = "is not valid UTF-8";
            return false;
        }
    }

    private bool ParseField(ref Utf8JsonReader reader, int ordinal, EventRecord target, out EventRejection rejection)
    {
        var type = _types[ordinal];
        var token = reader.TokenType;
        switch (type.Kind)
        {
            case FieldKind.String:
                if (token != JsonTokenType.String)
                {
                    break;
                }

                if (!reader.ValueIsEscaped)
                {
                    var raw = reader.ValueSpan;
                    if (!System.Text.Unicode.Utf8.IsValid(raw))
                    {
                        return Reject(out rejection, RejectionReason.NotJson, _fieldNames[ordinal], $"field '{_fieldNames[ordinal]}' is not valid UTF-8");
                    }

                    target.SetStringUnchecked(ordinal, raw);
                }
                else
                {
                    var destination = target.ReserveString(reader.ValueSpan.Length);
                    int length;
                    try
                    {
                        length = reader.CopyString(destination);
                    }
                    catch (InvalidOperationException)
                    {
                        return Reject(out rejection, RejectionReason.NotJson, _fieldNames[ordinal], $"field '{_fieldNames[ordinal]}' is not valid UTF-8");
                    }

                    target.CommitString(ordinal, length);
                }

                rejection = default;
                return true;

            case FieldKind.Long:
                if (token != JsonTokenType.Number)
                {
                    break;
                }

                if (!reader.TryGetInt64(out var l))
                {
                    return reader.ValueSpan.IndexOfAny(".eE"u8) >= 0
                        ? Reject(out rejection, RejectionReason.WrongType, _fieldNames[ordinal],
                            $"field '{_fieldNames[ordinal]}' must be an integer (long), got {Text(reader.ValueSpan)}")
                        : Reject(out rejection, RejectionReason.ValueOutOfRange, _fieldNames[ordinal],
                            $"field '{_fieldNames[ordinal]}' = {Text(reader.ValueSpan)} is outside the range of long");
                }

                target.SetRaw(ordinal, l);
                rejection = default;
                return true;

            case FieldKind.Double:
                if (token != JsonTokenType.Number)
                {
                    break;
                }

                if (!reader.TryGetDouble(out var d) || !double.IsFinite(d))
                {
                    return Reject(out rejection, RejectionReason.ValueOutOfRange, _fieldNames[ordinal],
                        $"field '{_fieldNames[ordinal]}' = {Text(reader.ValueSpan)} is outside the range of double");
                }

                target.SetRaw(ordinal, BitConverter.DoubleToInt64Bits(d + 0d));
                rejection = default;
                return true;

            case FieldKind.Decimal:
                if (token != JsonTokenType.Number)
                {
                    break;
                }

                return ParseDecimal(ref reader, ordinal, type, target, out rejection);

            case FieldKind.Bool:
                if (token is not (JsonTokenType.True or JsonTokenType.False))
                {
                    break;
                }

                target.SetRaw(ordinal, token == JsonTokenType.True ? 1 : 0);
                rejection = default;
                return true;

            case FieldKind.Timestamp:
                long ms;
                if (token == JsonTokenType.Number)
                {
                    if (!reader.TryGetInt64(out ms))
                    {
                        return Reject(out rejection, RejectionReason.WrongType, _fieldNames[ordinal],
                            $"field '{_fieldNames[ordinal]}' = {Text(reader.ValueSpan)} is not an integer number of epoch milliseconds");
                    }

                    if (ms < FieldValue.MinTimestampMilliseconds || ms > FieldValue.MaxTimestampMilliseconds)
                    {
                        return Reject(out rejection, RejectionReason.ValueOutOfRange, _fieldNames[ordinal],
                            $"field '{_fieldNames[ordinal]}' = {ms} is outside the representable time range");
                    }
                }
                else if (token == JsonTokenType.String)
                {
                    if (!TryParseIso(ref reader, out ms, out var error))
                    {
                        return Reject(out rejection, RejectionReason.WrongType, _fieldNames[ordinal], $"field '{_fieldNames[ordinal]}' {error}");
                    }
                }
                else
                {
                    break;
                }

                target.SetRaw(ordinal, ms);
                rejection = default;
                return true;
        }

        var expected = type.Kind switch
        {
            FieldKind.String => "a string",
            FieldKind.Bool => "true or false",
            FieldKind.Timestamp => "an ISO-8601 string or epoch milliseconds",
            _ => "a number",
        };
        var got = token == JsonTokenType.Null ? "null" : Describe(token);
        return Reject(out rejection, RejectionReason.WrongType, _fieldNames[ordinal],
            $"field '{_fieldNames[ordinal]}' must be {expected} ({type}), got {got}");
    }

    private bool ParseDecimal(ref Utf8JsonReader reader, int ordinal, FieldType type, EventRecord target, out EventRejection rejection)
    {
        var raw = reader.ValueSpan;
        var result = ScaledDecimalParser.TryParse(raw, type.Precision, type.Scale, out var unscaled);
        if (result == ScaledDecimalParser.Result.NeedsSlowPath)
        {
            // Exponent notation: let the BCL do the arithmetic, then check it is exact at this scale.
            if (!reader.TryGetDecimal(out var value))
            {
                result = ScaledDecimalParser.Result.TooManyDigits;
            }
            else if (decimal.Round(value, type.Scale) != value)
            {
                result = ScaledDecimalParser.Result.TooManyDecimals;
            }
            else
            {
                var limit = DecimalScaling.Pow10(type.Precision);
                result = DecimalScaling.TryToUnscaled(value, type.Scale, out unscaled) && unscaled < limit && unscaled > -limit
                    ? ScaledDecimalParser.Result.Ok
                    : ScaledDecimalParser.Result.TooManyDigits;
            }
        }

        switch (result)
        {
            case ScaledDecimalParser.Result.Ok:
                target.SetRaw(ordinal, unscaled);
                rejection = default;
                return true;
            case ScaledDecimalParser.Result.TooManyDecimals:
                return Reject(out rejection, RejectionReason.ValueOutOfRange, _fieldNames[ordinal],
                    $"field '{_fieldNames[ordinal]}' = {Text(raw)} has more than {type.Scale} decimal places ({type})");
            default:
                return Reject(out rejection, RejectionReason.ValueOutOfRange, _fieldNames[ordinal],
                    $"field '{_fieldNames[ordinal]}' = {Text(raw)} has more than {type.Precision - type.Scale} integer digits ({type})");
        }
    }
}
