using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Tests.Filtering;

/// <summary>
/// Value expressions (<c>derive:</c>) evaluated over one hand-made event; every expected value is worked out by hand
/// in the test (not by the evaluator), with its type.
/// </summary>
public sealed class DerivedExpressionTests
{
    // 2026-01-07T13:45:30.250Z, a Wednesday (ISO day 3).
    private const long Time = 1_767_793_530_250;

    private static EventRecord Evaluate(string expression, out FieldDefinition field, string s = "  Hello, Wörld  ", long l = 7, double d = 2.5, decimal m = 12.345m, decimal big = 1234.56m, bool b = true, long t = Time)
    {
        var yaml = $$"""
            sources:
              things:
                topic: things
                time: ts
                fields:
                  s: string
                  l: long
                  d: double
                  m: decimal(10,3)
                  big: decimal(18,2)
                  b: bool
                  t: timestamp
                derive:
                  x: "{{expression.Replace("\"", "\\\"", StringComparison.Ordinal)}}"
            views:
              v:
                source: things
                granularity: hour
                measures: { n: count }
            """;
        var source = CatalogLoader.Parse(yaml).GetSource("things");
        field = source.GetField("x");
        var record = new EventRecord(source);
        record.SetTimestamp(t);
        record.SetString(0, s);
        record.SetLong(1, l);
        record.SetDouble(2, d);
        record.SetDecimal(3, m);
        record.SetDecimal(4, big);
        record.SetBool(5, b);
        record.SetTimestamp(6, t);
        record.ComputeDerived();
        return record;
    }

    private static void AssertValue(string expression, string expectedType, string expected)
    {
        var record = Evaluate(expression, out var field);
        Assert.Equal(expectedType, field.Type.ToString());
        Assert.True(record.IsSet(field.Ordinal), $"{expression} is null");
        Assert.Equal(expected, record.GetValue(field.Ordinal).ToCanonicalString());
    }

    private static void AssertNull(string expression, string expectedType)
    {
        var record = Evaluate(expression, out var field);
        Assert.Equal(expectedType, field.Type.ToString());
        Assert.False(record.IsSet(field.Ordinal), $"{expression} is not null");
    }

    [Theory]
    // long op long -> long, integer division truncates toward zero, remainder takes the dividend's sign.
    [InlineData("l + 3", "long", "10")]
    [InlineData("l - 10", "long", "-3")]
    [InlineData("l * -2", "long", "-14")]
    [InlineData("l / 2", "long", "3")]
    [InlineData("-l / 2", "long", "-3")]
    [InlineData("l % 4", "long", "3")]
    [InlineData("-l % 4", "long", "-3")]
    [InlineData("l-1", "long", "6")]
    [InlineData("2 + 3 * l", "long", "23")]
    [InlineData("(2 + 3) * l", "long", "35")]
    // anything with a double -> double.
    [InlineData("d * 2", "double", "5")]
    [InlineData("l / d", "double", "2.8")]
    [InlineData("m + d", "double", "14.845")]
    // decimals: + - % at the larger scale, * at the sum of scales, / at max(scales, 6) truncated.
    [InlineData("m + big", "decimal(18,3)", "1246.905")]
    [InlineData("big - m", "decimal(18,3)", "1222.215")]
    [InlineData("big + l", "decimal(18,2)", "1241.56")]
    [InlineData("m * big", "decimal(18,5)", "15240.64320")]
    [InlineData("big * 2", "decimal(18,2)", "2469.12")]
    [InlineData("big / 3", "decimal(18,6)", "411.520000")]
    [InlineData("m / 7", "decimal(18,6)", "1.763571")]
    [InlineData("-m / 7", "decimal(18,6)", "-1.763571")]
    [InlineData("big % 100", "decimal(18,2)", "34.56")]
    [InlineData("m * 0.1", "decimal(18,4)", "1.2345")]
    [InlineData("-m", "decimal(10,3)", "-12.345")]
    // bucket keeps x's type; floor toward minus infinity.
    [InlineData("bucket(big, 50)", "decimal(18,2)", "1200.00")]
    [InlineData("bucket(-big, 50)", "decimal(18,2)", "-1250.00")]
    [InlineData("bucket(m, 0.5)", "decimal(10,3)", "12.000")]
    [InlineData("bucket(l, 5)", "long", "5")]
    [InlineData("bucket(-l, 5)", "long", "-10")]
    [InlineData("bucket(d, 2)", "double", "2")]
    // comparisons, logic, conditionals.
    [InlineData("big > 1000", "bool", "true")]
    [InlineData("m = 12.345", "bool", "true")]
    [InlineData("m < l", "bool", "false")]
    [InlineData("l IN (1, 7, 9)", "bool", "true")]
    [InlineData("l NOT IN (1, 7, 9)", "bool", "false")]
    [InlineData("s != 'x' AND NOT b", "bool", "false")]
    [InlineData("t >= '2026-01-07T00:00:00Z'", "bool", "true")]
    [InlineData("if(l > 5, 'big', 'small')", "string", "big")]
    [InlineData("if(b, l, m)", "decimal(18,3)", "7.000")]
    [InlineData("CASE WHEN l < 5 THEN 'low' WHEN l < 10 THEN 'mid' ELSE 'high' END", "string", "mid")]
    [InlineData("case when l > 100 then 1 else 2.5 end", "decimal(18,1)", "2.5")]
    [InlineData("coalesce(l / 0, 42)", "long", "42")]
    // strings: UTF-8 aware, 1-based substring like SQL.
    [InlineData("lower(s)", "string", "  hello, wörld  ")]
    [InlineData("upper(s)", "string", "  HELLO, WÖRLD  ")]
    [InlineData("upper('abc')", "string", "ABC")]
    [InlineData("trim(s)", "string", "Hello, Wörld")]
    [InlineData("substring(trim(s), 8)", "string", "Wörld")]
    [InlineData("substring(trim(s), 8, 2)", "string", "Wö")]
    [InlineData("substring('abc', 0, 2)", "string", "a")]
    [InlineData("substring('abc', 5)", "string", "")]
    [InlineData("concat(trim(s), '!', '?')", "string", "Hello, Wörld!?")]
    [InlineData("split_part(trim(s), ', ', 2)", "string", "Wörld")]
    [InlineData("split_part('a.b.c', '.', 3)", "string", "c")]
    [InlineData("split_part('a.b.c', '.', 4)", "string", "")]
    // time, UTC: 13:45 on a Wednesday.
    [InlineData("hour_of_day(ts)", "long", "13")]
    [InlineData("day_of_week(t)", "long", "3")]
    [InlineData("date_trunc('hour', ts)", "timestamp", "2026-01-07T13:00:00.000Z")]
    [InlineData("date_trunc('day', t)", "timestamp", "2026-01-07T00:00:00.000Z")]
    [InlineData("date_trunc('minute', ts)", "timestamp", "2026-01-07T13:45:00.000Z")]
    public void Evaluates_to_the_hand_computed_value(string expression, string type, string expected) => AssertValue(expression, type, expected);

    [Theory]
    [InlineData("1969-12-31T23:00:00Z", 23, 3)] // Wednesday, before the epoch
    [InlineData("2026-01-04T10:00:00Z", 10, 7)] // Sunday
    [InlineData("2026-01-05T00:00:00Z", 0, 1)]  // Monday
    public void Time_parts_are_utc_and_iso(string instant, long hour, long day)
    {
        var ms = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var record = Evaluate("hour_of_day(ts) * 10 + day_of_week(ts)", out var field, t: ms);
        Assert.Equal((hour * 10) + day, record.GetLong(field.Ordinal));
    }

    [Theory]
    // Runtime faults give null, never an exception.
    [InlineData("l / 0", "long")]
    [InlineData("l % (l - 7)", "long")]
    [InlineData("d / (l - 7)", "double")]
    [InlineData("big / (l - 7)", "decimal(18,6)")]
    [InlineData("l * 9223372036854775807", "long")]
    [InlineData("-9223372036854775807 - l", "long")]
    [InlineData("big * 1000000000000000", "decimal(18,2)")]
    [InlineData("substring(s, 1, l - 8)", "string")]
    [InlineData("split_part(s, ',', l - 7)", "string")]
    [InlineData("CASE WHEN l > 100 THEN 1 END", "long")]
    [InlineData("concat(s, if(b, substring(s, 1, -1), 'x'))", "string")]
    // Null in, null out; a null condition counts as false.
    [InlineData("(l / 0) + 1", "long")]
    [InlineData("(l / 0) > 1", "bool")]
    [InlineData("NOT ((l / 0) > 1)", "bool")]
    [InlineData("(l / 0) > 1 OR FALSE", "bool")]
    public void Faults_and_null_inputs_give_null(string expression, string type) => AssertNull(expression, type);

    [Theory]
    // Three-valued logic: a known side can decide.
    [InlineData("(l / 0) > 1 OR TRUE", "true")]
    [InlineData("(l / 0) > 1 AND FALSE", "false")]
    [InlineData("if((l / 0) > 1, 'yes', 'no')", "no")]
    [InlineData("coalesce(substring(s, 1, -1), 'fallback')", "fallback")]
    public void Null_follows_sql_rules(string expression, string expected)
    {
        var record = Evaluate(expression, out var field);
        Assert.Equal(expected, record.GetValue(field.Ordinal).ToCanonicalString());
    }

    [Fact]
    public void Derived_values_are_recomputed_after_a_field_changes()
    {
        var record = Evaluate("bucket(big, 50)", out var field);
        Assert.Equal(1200.00m, record.GetDecimal(field.Ordinal));
        record.SetDecimal(4, 49.99m);
        record.ComputeDerived();
        Assert.Equal(0.00m, record.GetDecimal(field.Ordinal));
    }

    [Fact]
    public void A_derived_field_reads_earlier_derived_fields()
    {
        var source = CatalogLoader.Parse("""
            sources:
              orders:
                topic: orders
                time: ts
                fields: { amount: "decimal(18,2)", country: string }
                derive:
                  net: amount / 1.2
                  band: bucket(net, 10)
                  label: "concat(lower(country), '-', if(band >= 100, 'high', 'low'))"
            views:
              v: { source: orders, granularity: hour, dimensions: [label], measures: { n: count, total: sum(band) } }
            """).GetSource("orders");
        var record = new EventRecord(source);
        record.SetTimestamp(Time);
        record.SetDecimal(0, 130.00m);
        record.SetString(1, "DE");
        record.ComputeDerived();
        // 130.00 / 1.2 = 108.333333 (scale 6, truncated); its 10-wide band 100.000000; label de-high.
        Assert.Equal("108.333333", record.GetValue(source.GetField("net").Ordinal).ToCanonicalString());
        Assert.Equal("100.000000", record.GetValue(source.GetField("band").Ordinal).ToCanonicalString());
        Assert.Equal("de-high", record.GetString(source.GetField("label").Ordinal));
        Assert.Equal(["amount", "country"], source.RawInputsOf([source.GetField("label")]).Select(f => f.Name));
    }
}
