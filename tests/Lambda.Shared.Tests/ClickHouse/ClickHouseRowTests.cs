using System.Text;
using Lambda.Shared.ClickHouse;

namespace Lambda.Shared.Tests.ClickHouse;

public sealed class ClickHouseRowTests
{
    private static ClickHouseRow Row(string[] types, string line, string? serverZone = "Etc/UTC")
    {
        var columns = types.Select((type, i) => new ClickHouseColumn("c" + i, type)).ToList();
        var schema = new ClickHouseResultSchema(columns);
        schema.ResolveTimeZones(serverZone);
        return ClickHouseRow.Parse(schema, Encoding.UTF8.GetBytes(line)) ?? throw new InvalidOperationException("field count mismatch");
    }

    [Fact]
    public void Reads_typed_values_from_text()
    {
        var row = Row(
            ["String", "UInt64", "Int64", "Float64", "Decimal(18, 2)", "DateTime", "Date", "UInt8", "UUID"],
            "a\\tb\\\\c\t18446744073709551615\t-9223372036854775808\t1.5\t-12.34\t2026-11-25 10:00:01\t2026-11-25\t1\t123e4567-e89b-12d3-a456-426614174000");

        Assert.Equal(9, row.FieldCount);
        Assert.Equal("a\tb\\c", row.GetString(0));
        Assert.Equal(ulong.MaxValue, row.GetUInt64(1));
        Assert.Equal(long.MinValue, row.GetInt64(2));
        Assert.Equal(1.5, row.GetDouble(3));
        Assert.Equal(-12.34m, row.GetDecimal(4));
        Assert.Equal(new DateTime(2026, 11, 25, 10, 0, 1, DateTimeKind.Utc), row.GetDateTime(5));
        Assert.Equal(DateTimeKind.Utc, row.GetDateTime(5).Kind);
        Assert.Equal(new DateOnly(2026, 11, 25), row.GetDate(6));
        Assert.True(row.GetBoolean(7));
        Assert.Equal(Guid.Parse("123e4567-e89b-12d3-a456-426614174000"), row.GetGuid(8));
        Assert.Equal(4, row.GetOrdinal("c4"));
    }

    [Fact]
    public void Binary_strings_come_back_byte_exact()
    {
        // 18.16's TabSeparated output of unhex('00FF0A095C27').
        var schema = new ClickHouseResultSchema([new ClickHouseColumn("b", "String"), new ClickHouseColumn("n", "UInt8")]);
        byte[] line = [(byte)'\\', (byte)'0', 0xFF, (byte)'\\', (byte)'n', (byte)'\\', (byte)'t', (byte)'\\', (byte)'\\', (byte)'\\', (byte)'\'', 0x09, (byte)'7'];
        var row = ClickHouseRow.Parse(schema, line)!;
        Assert.Equal("00FF0A095C27", Convert.ToHexString(row.GetBytes(0)));
        Assert.Equal(7, row.GetInt32(1));
    }

    [Fact]
    public void Nulls_are_reported_and_typed_getters_refuse_them()
    {
        var row = Row(["Nullable(String)", "Nullable(Int64)", "String"], "\\N\t\\N\t\\\\N");
        Assert.True(row.IsNull(0));
        Assert.True(row.IsNull(1));
        Assert.False(row.IsNull(2));
        Assert.Equal("\\N", row.GetString(2));
        Assert.Null(row.GetFieldValue<long?>(1));
        Assert.Null(row.GetFieldValue<string>(0));
        var ex = Assert.Throws<InvalidOperationException>(() => row.GetInt64(1));
        Assert.Contains("'c1' is NULL", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => row.GetFieldValue<long>(1));
    }

    [Fact]
    public void Special_floats_and_zero_dates()
    {
        var row = Row(["Float64", "Float64", "Float64", "DateTime", "Date"], "nan\tinf\t-inf\t0000-00-00 00:00:00\t0000-00-00");
        Assert.True(double.IsNaN(row.GetDouble(0)));
        Assert.Equal(double.PositiveInfinity, row.GetDouble(1));
        Assert.Equal(double.NegativeInfinity, row.GetDouble(2));
        Assert.Equal(DateTime.UnixEpoch, row.GetDateTime(3));
        Assert.Equal(new DateOnly(1970, 1, 1), row.GetDate(4));
    }

    [Fact]
    public void DateTime_text_is_converted_from_the_column_or_server_zone_to_utc()
    {
        var tokyo = Row(["DateTime('Asia/Tokyo')"], "2026-11-25 19:00:00");
        Assert.Equal(new DateTime(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc), tokyo.GetDateTime(0));

        var serverBerlin = Row(["DateTime", "Nullable(DateTime)"], "2026-07-01 12:00:00\t2026-01-01 12:00:00", "Europe/Berlin");
        Assert.Equal(new DateTime(2026, 7, 1, 10, 0, 0, DateTimeKind.Utc), serverBerlin.GetDateTime(0));
        Assert.Equal(new DateTime(2026, 1, 1, 11, 0, 0, DateTimeKind.Utc), serverBerlin.GetDateTime(1));

        var unknownServerZone = Row(["DateTime"], "2026-07-01 12:00:00", serverZone: null);
        Assert.Throws<InvalidOperationException>(() => unknownServerZone.GetDateTime(0));
    }

    [Fact]
    public void Bad_values_name_the_column_and_type()
    {
        var row = Row(["String", "String"], "abc\t2026-13-01 00:00:00");
        var ex = Assert.Throws<FormatException>(() => row.GetInt64(0));
        Assert.Contains("'c0' (String) holds 'abc'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => row.GetDateTime(1));
        Assert.Throws<FormatException>(() => row.GetDecimal(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => row.GetString(2));
        Assert.Throws<ArgumentException>(() => row.GetOrdinal("missing"));
    }

    [Fact]
    public void Lines_with_the_wrong_field_count_are_refused()
    {
        var schema = new ClickHouseResultSchema([new ClickHouseColumn("a", "String"), new ClickHouseColumn("b", "String")]);
        Assert.Null(ClickHouseRow.Parse(schema, "only one"u8));
        Assert.Null(ClickHouseRow.Parse(schema, "a\tb\tc"u8));
        Assert.NotNull(ClickHouseRow.Parse(schema, "\t"u8));
    }

    [Theory]
    [InlineData("DateTime", "")]
    [InlineData("DateTime('UTC')", "UTC")]
    [InlineData("Nullable(DateTime('Asia/Tokyo'))", "Asia/Tokyo")]
    [InlineData("LowCardinality(Nullable(DateTime))", "")]
    [InlineData("Date", null)]
    [InlineData("String", null)]
    public void Finds_the_time_zone_of_DateTime_types(string type, string? expected) =>
        Assert.Equal(expected, ClickHouseResultSchema.DateTimeZoneOf(type));
}
