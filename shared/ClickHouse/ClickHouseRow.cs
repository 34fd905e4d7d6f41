using System.Globalization;
using System.Text;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// One result row. Fields are kept as the exact bytes the server sent (after TabSeparated
/// unescaping), so String columns holding binary data (sketch states, AggregateFunction states)
/// come back byte for byte through <see cref="GetBytes"/>; typed getters parse the text form.
/// </summary>
public sealed class ClickHouseRow
{
    private const int NullLength = -1;

    private readonly ClickHouseResultSchema _schema;
    private readonly byte[] _data;
    private readonly int[] _starts;
    private readonly int[] _lengths;

    private ClickHouseRow(ClickHouseResultSchema schema, byte[] data, int[] starts, int[] lengths)
    {
        _schema = schema;
        _data = data;
        _starts = starts;
        _lengths = lengths;
    }

    /// <summary>The result's columns.</summary>
    public IReadOnlyList<ClickHouseColumn> Columns => _schema.Columns;

    /// <summary>Number of fields.</summary>
    public int FieldCount => _starts.Length;

    /// <summary>The position of a column by name (exact, case-sensitive).</summary>
    public int GetOrdinal(string name) => _schema.GetOrdinal(name);

    /// <summary>Whether the field is NULL.</summary>
    public bool IsNull(int ordinal) => _lengths[CheckOrdinal(ordinal)] == NullLength;

    /// <summary>The field's bytes, exactly as stored on the server.</summary>
    public ReadOnlySpan<byte> GetSpan(int ordinal) => Raw(ordinal, "bytes");

    /// <summary>The field's bytes, exactly as stored on the server (copy).</summary>
    public byte[] GetBytes(int ordinal) => Raw(ordinal, "bytes").ToArray();

    /// <summary>The field as UTF-8 text (invalid sequences become U+FFFD; use <see cref="GetBytes"/> for binary data).</summary>
    public string GetString(int ordinal) => Encoding.UTF8.GetString(Raw(ordinal, "String"));

    /// <summary>An integer column (Int8 ... Int64, UInt8 ... UInt32) as Int64.</summary>
    public long GetInt64(int ordinal) =>
        long.TryParse(Raw(ordinal, "Int64"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Unparsable(ordinal, "Int64");

    /// <summary>An unsigned integer column (UInt8 ... UInt64) as UInt64.</summary>
    public ulong GetUInt64(int ordinal) =>
        ulong.TryParse(Raw(ordinal, "UInt64"), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Unparsable(ordinal, "UInt64");

    /// <summary>An integer column as Int32.</summary>
    public int GetInt32(int ordinal) =>
        int.TryParse(Raw(ordinal, "Int32"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Unparsable(ordinal, "Int32");

    /// <summary>A Float32/Float64 column (also nan, inf, -inf) or any number as Double.</summary>
    public double GetDouble(int ordinal)
    {
        var raw = Raw(ordinal, "Float64");
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        return raw switch
        {
            _ when raw.SequenceEqual("nan"u8) || raw.SequenceEqual("-nan"u8) => double.NaN,
            _ when raw.SequenceEqual("inf"u8) || raw.SequenceEqual("+inf"u8) => double.PositiveInfinity,
            _ when raw.SequenceEqual("-inf"u8) => double.NegativeInfinity,
            _ => throw Unparsable(ordinal, "Float64"),
        };
    }

    /// <summary>A Decimal column (or any integer) as decimal, exactly.</summary>
    public decimal GetDecimal(int ordinal) =>
        decimal.TryParse(Raw(ordinal, "Decimal"), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Unparsable(ordinal, "Decimal");

    /// <summary>A UInt8 (0/1) or Bool (true/false) column.</summary>
    public bool GetBoolean(int ordinal)
    {
        var raw = Raw(ordinal, "Bool");
        if (raw.SequenceEqual("1"u8) || raw.SequenceEqual("true"u8))
        {
            return true;
        }

        return raw.SequenceEqual("0"u8) || raw.SequenceEqual("false"u8) ? false : throw Unparsable(ordinal, "Bool");
    }

    /// <summary>
    /// A DateTime column as a UTC DateTime. The server writes DateTime as local time of the
    /// column's zone (or its own); that zone is converted back here, so the instant is exact.
    /// The zero value (written <c>0000-00-00 00:00:00</c>) is the Unix epoch.
    /// </summary>
    public DateTime GetDateTime(int ordinal)
    {
        var raw = Raw(ordinal, "DateTime");
        if (raw.Length != 19 || raw[4] != '-' || raw[7] != '-' || raw[10] != ' ' || raw[13] != ':' || raw[16] != ':')
        {
            throw Unparsable(ordinal, "DateTime");
        }

        var year = Digits(raw, 0, 4, ordinal);
        if (year == 0)
        {
            return DateTime.UnixEpoch;
        }

        DateTime local;
        try
        {
            local = new DateTime(
                year, Digits(raw, 5, 2, ordinal), Digits(raw, 8, 2, ordinal),
                Digits(raw, 11, 2, ordinal), Digits(raw, 14, 2, ordinal), Digits(raw, 17, 2, ordinal), DateTimeKind.Unspecified);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw Unparsable(ordinal, "DateTime", ex);
        }

        var zone = _schema.TimeZoneOf(ordinal);
        return zone is null || ReferenceEquals(zone, TimeZoneInfo.Utc)
            ? DateTime.SpecifyKind(local, DateTimeKind.Utc)
            : TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    /// <summary>A Date column. The zero value (written <c>0000-00-00</c>) is 1970-01-01.</summary>
    public DateOnly GetDate(int ordinal)
    {
        var raw = Raw(ordinal, "Date");
        if (raw.Length != 10 || raw[4] != '-' || raw[7] != '-')
        {
            throw Unparsable(ordinal, "Date");
        }

        var year = Digits(raw, 0, 4, ordinal);
        if (year == 0)
        {
            return DateOnly.FromDateTime(DateTime.UnixEpoch);
        }

        try
        {
            return new DateOnly(year, Digits(raw, 5, 2, ordinal), Digits(raw, 8, 2, ordinal));
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw Unparsable(ordinal, "Date", ex);
        }
    }

    /// <summary>A UUID column.</summary>
    public Guid GetGuid(int ordinal) =>
        Guid.TryParse(Encoding.ASCII.GetString(Raw(ordinal, "UUID")), out var value) ? value : throw Unparsable(ordinal, "UUID");

    /// <summary>
    /// The field converted to <typeparamref name="T"/>: string, byte[], long, ulong, int, uint,
    /// double, decimal, bool, DateTime (UTC), DateOnly, Guid, or their nullable forms (NULL → null).
    /// </summary>
    public T GetFieldValue<T>(int ordinal)
    {
        var type = typeof(T);
        var underlying = Nullable.GetUnderlyingType(type);
        if (IsNull(ordinal))
        {
            return underlying is not null || !type.IsValueType
                ? default!
                : throw new InvalidOperationException($"Column '{Columns[ordinal].Name}' is NULL; read it as {type.Name}? instead.");
        }

        object value = (underlying ?? type) switch
        {
            var t when t == typeof(string) => GetString(ordinal),
            var t when t == typeof(byte[]) => GetBytes(ordinal),
            var t when t == typeof(long) => GetInt64(ordinal),
            var t when t == typeof(ulong) => GetUInt64(ordinal),
            var t when t == typeof(int) => GetInt32(ordinal),
            var t when t == typeof(uint) => checked((uint)GetUInt64(ordinal)),
            var t when t == typeof(double) => GetDouble(ordinal),
            var t when t == typeof(decimal) => GetDecimal(ordinal),
            var t when t == typeof(bool) => GetBoolean(ordinal),
            var t when t == typeof(DateTime) => GetDateTime(ordinal),
            var t when t == typeof(DateOnly) => GetDate(ordinal),
            var t when t == typeof(Guid) => GetGuid(ordinal),
            _ => throw new NotSupportedException($"Reading ClickHouse values as {type.Name} is not supported."),
        };
        return (T)value;
    }

    /// <summary>Splits and unescapes one TabSeparated line; null if it does not have the schema's field count.</summary>
    internal static ClickHouseRow? Parse(ClickHouseResultSchema schema, ReadOnlySpan<byte> line)
    {
        var fieldCount = schema.Columns.Count;
        if (line.Count((byte)'\t') + 1 != fieldCount)
        {
            return null;
        }

        var data = line.ToArray();
        var starts = new int[fieldCount];
        var lengths = new int[fieldCount];
        var read = 0;
        var written = 0;
        for (var i = 0; i < fieldCount; i++)
        {
            var tab = data.AsSpan(read).IndexOf((byte)'\t');
            var fieldLength = tab < 0 ? data.Length - read : tab;
            var escaped = data.AsSpan(read, fieldLength);
            starts[i] = written;
            if (TabSeparatedEscaping.IsNull(escaped))
            {
                lengths[i] = NullLength;
            }
            else
            {
                lengths[i] = TabSeparatedEscaping.Unescape(escaped, data.AsSpan(written));
                written += lengths[i];
            }

            read += fieldLength + 1;
        }

        return new ClickHouseRow(schema, data, starts, lengths);
    }

    private ReadOnlySpan<byte> Raw(int ordinal, string asType)
    {
        var length = _lengths[CheckOrdinal(ordinal)];
        if (length == NullLength)
        {
            throw new InvalidOperationException(
                $"Column '{Columns[ordinal].Name}' is NULL; check IsNull before reading it as {asType}.");
        }

        return _data.AsSpan(_starts[ordinal], length);
    }

    private int CheckOrdinal(int ordinal)
    {
        if ((uint)ordinal >= (uint)_starts.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"The row has {_starts.Length} fields.");
        }

        return ordinal;
    }

    private int Digits(ReadOnlySpan<byte> raw, int start, int count, int ordinal)
    {
        var value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = raw[i] - '0';
            if (digit is < 0 or > 9)
            {
                throw Unparsable(ordinal, "DateTime");
            }

            value = (value * 10) + digit;
        }

        return value;
    }

    private FormatException Unparsable(int ordinal, string asType, Exception? inner = null)
    {
        var text = Encoding.UTF8.GetString(_data.AsSpan(_starts[ordinal], Math.Min(_lengths[ordinal], 100)));
        return new FormatException(
            $"Column '{Columns[ordinal].Name}' ({Columns[ordinal].Type}) holds '{text}', which is not a valid {asType}.", inner);
    }
}
