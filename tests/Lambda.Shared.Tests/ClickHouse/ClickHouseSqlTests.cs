using Lambda.Shared.ClickHouse;

namespace Lambda.Shared.Tests.ClickHouse;

public sealed class ClickHouseSqlTests
{
    [Theory]
    [InlineData("", "''")]
    [InlineData("abc", "'abc'")]
    [InlineData("it's", @"'it\'s'")]
    [InlineData(@"back\slash", @"'back\\slash'")]
    [InlineData(@"\'", @"'\\\''")]
    [InlineData("a\nb\tc\rd\0e", @"'a\nb\tc\rd\0e'")]
    [InlineData("x`y\"z", "'x`y\"z'")]
    [InlineData("é€", "'é€'")]
    public void QuoteString_escapes_backslash_quote_and_controls(string value, string expected) =>
        Assert.Equal(expected, ClickHouseSql.QuoteString(value));

    [Theory]
    [InlineData("orders", "`orders`")]
    [InlineData("we`ird", @"`we\`ird`")]
    [InlineData(@"a\b", @"`a\\b`")]
    [InlineData("db.table", "`db.table`")]
    [InlineData("x'; DROP TABLE y; --", "`x'; DROP TABLE y; --`")]
    public void QuoteIdentifier_backquotes_and_escapes(string identifier, string expected) =>
        Assert.Equal(expected, ClickHouseSql.QuoteIdentifier(identifier));

    [Fact]
    public void QuoteIdentifier_rejects_empty_names()
    {
        Assert.Equal("identifier", Assert.Throws<ArgumentException>(() => ClickHouseSql.QuoteIdentifier("")).ParamName);
        Assert.Throws<ArgumentNullException>(() => ClickHouseSql.QuoteIdentifier(null!));
        Assert.Throws<ArgumentNullException>(() => ClickHouseSql.QuoteString(null!));
    }

    [Fact]
    public void Literals_are_time_zone_independent_and_invariant()
    {
        Assert.Equal("`lambda`.`speed_orders`", ClickHouseSql.QualifiedName("lambda", "speed_orders"));
        Assert.Equal("toDateTime(1788220800)", ClickHouseSql.DateTimeLiteral(new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("toDate('2026-09-01')", ClickHouseSql.DateLiteral(new DateOnly(2026, 9, 1)));
        Assert.Equal("toDecimal64('-12.34', 2)", ClickHouseSql.Decimal64Literal(-12.34m, 2));
        Assert.Equal("unhex('00FF5C')", ClickHouseSql.BinaryLiteral([0x00, 0xFF, 0x5C]));
        Assert.Throws<ArgumentException>(() => ClickHouseSql.DateTimeLiteral(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local)));
    }
}
