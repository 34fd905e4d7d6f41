using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Events;

public sealed class EventParserTests
{
    private const string Order =
        """{"order_id":"o-1","user_id":"u-7","country":"US","amount":12.5,"status":"paid","ts":"2026-11-25T10:15:30.123Z"}""";

    private static readonly EventParser OrdersParser = new(TestCatalogs.Orders);
    private static readonly SourceDefinition Things = TypeCatalogs.AllTypes.GetSource("things");
    private static readonly EventParser ThingsParser = new(Things);

    private static EventRecord Parse(EventParser parser, string json)
    {
        Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(json), out EventRecord record, out var rejection), rejection.Message);
        return record;
    }

    private static EventRejection Reject(EventParser parser, string json) => Reject(parser, Encoding.UTF8.GetBytes(json));

    private static EventRejection Reject(EventParser parser, byte[] utf8)
    {
        Assert.False(parser.TryParse(utf8, out EventRecord _, out var rejection));
        Assert.False(string.IsNullOrWhiteSpace(rejection.Message));
        return rejection;
    }

    [Fact]
    public void An_order_parses_into_typed_values()
    {
        var e = Parse(OrdersParser, Order);

        Assert.Equal("o-1", e.GetString(0));
        Assert.Equal("u-7", e.GetString(1));
        Assert.Equal("US", e.GetString(2));
        Assert.Equal(12.50m, e.GetDecimal(3));
        Assert.Equal("12.50", e.GetDecimal(3).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1250, e.GetDecimalUnscaled(3));
        Assert.Equal("paid", e.GetString(4));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 15, 30, 123, TimeSpan.Zero), e.Timestamp);
        Assert.Equal(TimeSpan.Zero, e.Timestamp.Offset);
        Assert.True(e.IsComplete);
    }

    [Fact]
    public void Every_field_type_parses()
    {
        var e = Parse(ThingsParser, """
            {"s":"caf\u00e9 \"q\"","l":-9223372036854775808,"d":1.5e3,"m":-1234567.125,"b":false,"t":"2026-01-02T03:04:05+02:00","ts":1764065730123}
            """);

        Assert.Equal("café \"q\"", e.GetString(0));
        Assert.Equal(long.MinValue, e.GetLong(1));
        Assert.Equal(1500d, e.GetDouble(2));
        Assert.Equal(-1234567.125m, e.GetDecimal(3));
        Assert.False(e.GetBool(4));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 1, 4, 5, TimeSpan.Zero), e.GetTimestamp(5));
        Assert.Equal(1764065730123, e.TimestampMilliseconds);
        Assert.Equal(
            ["café \"q\"", "-9223372036854775808", "1500", "-1234567.125", "false", "2026-01-02T01:04:05.000Z"],
            e.GetValues().Select(v => v.ToCanonicalString()));
    }

    [Theory]
    [InlineData("2026-11-25T10:15:30Z", "2026-11-25T10:15:30.000Z")]
    [InlineData("2026-11-25T10:15:30.5Z", "2026-11-25T10:15:30.500Z")]
    [InlineData("2026-11-25T10:15:30.123456Z", "2026-11-25T10:15:30.123Z")]
    [InlineData("2026-11-25T12:15:30+02:00", "2026-11-25T10:15:30.000Z")]
    [InlineData("2026-11-25T05:15:30-05:00", "2026-11-25T10:15:30.000Z")]
    [InlineData("2026-11-26T00:15:30+14:00", "2026-11-25T10:15:30.000Z")]
    public void Iso_times_with_offsets_are_normalised_to_utc_milliseconds(string ts, string expected)
    {
        var e = Parse(OrdersParser, Order.Replace("2026-11-25T10:15:30.123Z", ts, StringComparison.Ordinal));

        Assert.Equal(expected, TimeBucket.ToIso(e.TimestampMilliseconds));
    }

    [Fact]
    public void Unknown_properties_of_any_shape_are_ignored_and_order_does_not_matter()
    {
        var e = Parse(OrdersParser, """
            {"extra":{"nested":[1,{"order_id":"no"}]},"ts":1764065730000,"status":"paid","amount":3,"tags":["a"],
             "country":"DE","user_id":"u","order_id":"o","n":null}
            """);

        Assert.Equal("o", e.GetString(0));
        Assert.Equal(3.00m, e.GetDecimal(3));
    }

    [Fact]
    public void Escaped_property_names_match_declared_fields()
    {
        var e = Parse(OrdersParser, Order.Replace("\"country\"", "\"c\\u006fFuntry\"".Replace("F", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal));

        Assert.Equal("US", e.GetString(2));
    }

    [Theory]
    [InlineData("12", 1200)]
    [InlineData("12.5", 1250)]
    [InlineData("12.50", 1250)]
    [InlineData("12.500000", 1250)]
    [InlineData("-0.01", -1)]
    [InlineData("0", 0)]
    [InlineData("1.2e1", 1200)]
    [InlineData("125E-1", 1250)]
    [InlineData("9999999999999999.99", 999999999999999999)]
    public void Decimals_are_parsed_exactly(string amount, long unscaled)
    {
        var e = Parse(OrdersParser, Order.Replace("12.5", amount, StringComparison.Ordinal));

        Assert.Equal(unscaled, e.GetDecimalUnscaled(3));
    }

    [Theory]
    [InlineData("""{"order_id":"o-1","user_id":"u-7","amount":12.5,"status":"paid","ts":"2026-11-25T10:15:30Z"}""", "country")]
    [InlineData("""{"order_id":"o-1","user_id":"u-7","country":"US","amount":12.5,"status":"paid"}""", "ts")]
    [InlineData("""{}""", "ts")]
    public void Missing_fields_are_rejected_naming_the_field(string json, string field)
    {
        var r = Reject(OrdersParser, json);

        Assert.Equal(RejectionReason.MissingField, r.Reason);
        Assert.Equal(field, r.Field);
        Assert.Contains($"'{field}'", r.Message, StringComparison.Ordinal);
        Assert.Contains("missing", r.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"amount\":12.5", "\"amount\":\"12.5\"", "amount", "field 'amount' must be a number (decimal(18,2)), got a string")]
    [InlineData("\"amount\":12.5", "\"amount\":null", "amount", "field 'amount' must be a number (decimal(18,2)), got null")]
    [InlineData("\"country\":\"US\"", "\"country\":1", "country", "field 'country' must be a string (string), got a number")]
    [InlineData("\"country\":\"US\"", "\"country\":[\"US\"]", "country", "field 'country' must be a string (string), got an array")]
    [InlineData("\"country\":\"US\"", "\"country\":{}", "country", "field 'country' must be a string (string), got an object")]
    [InlineData("\"status\":\"paid\"", "\"status\":true", "status", "field 'status' must be a string (string), got a boolean")]
    public void Wrong_types_are_rejected_naming_the_field(string find, string replace, string field, string message)
    {
        var r = Reject(OrdersParser, Order.Replace(find, replace, StringComparison.Ordinal));

        Assert.Equal(new EventRejection(RejectionReason.WrongType, field, message), r);
    }

    [Theory]
    [InlineData("\"l\":1", "\"l\":1.5", RejectionReason.WrongType, "field 'l' must be an integer (long), got 1.5")]
    [InlineData("\"l\":1", "\"l\":1e3", RejectionReason.WrongType, "field 'l' must be an integer (long), got 1e3")]
    [InlineData("\"l\":1", "\"l\":9223372036854775808", RejectionReason.ValueOutOfRange, "field 'l' = 9223372036854775808 is outside the range of long")]
    [InlineData("\"d\":1", "\"d\":1e999", RejectionReason.ValueOutOfRange, "field 'd' = 1e999 is outside the range of double")]
    [InlineData("\"m\":1", "\"m\":1.0005", RejectionReason.ValueOutOfRange, "field 'm' = 1.0005 has more than 3 decimal places (decimal(10,3))")]
    [InlineData("\"m\":1", "\"m\":10000000", RejectionReason.ValueOutOfRange, "field 'm' = 10000000 has more than 7 integer digits (decimal(10,3))")]
    [InlineData("\"m\":1", "\"m\":1e7", RejectionReason.ValueOutOfRange, "field 'm' = 1e7 has more than 7 integer digits (decimal(10,3))")]
    [InlineData("\"m\":1", "\"m\":1e-4", RejectionReason.ValueOutOfRange, "field 'm' = 1e-4 has more than 3 decimal places (decimal(10,3))")]
    [InlineData("\"b\":true", "\"b\":1", RejectionReason.WrongType, "field 'b' must be true or false (bool), got a number")]
    [InlineData("\"b\":true", "\"b\":\"true\"", RejectionReason.WrongType, "field 'b' must be true or false (bool), got a string")]
    [InlineData("\"t\":1", "\"t\":\"yesterday\"", RejectionReason.WrongType, "field 't' 'yesterday' is not an ISO-8601 date-time")]
    [InlineData("\"t\":1", "\"t\":1.5", RejectionReason.WrongType, "field 't' = 1.5 is not an integer number of epoch milliseconds")]
    [InlineData("\"t\":1", "\"t\":true", RejectionReason.WrongType, "field 't' must be an ISO-8601 string or epoch milliseconds (timestamp), got a boolean")]
    public void Values_that_do_not_fit_their_type_are_rejected(string find, string replace, RejectionReason reason, string message)
    {
        const string Thing = """{"s":"x","l":1,"d":1,"m":1,"b":true,"t":1,"ts":"2026-01-01T00:00:00Z"}""";
        Assert.Contains(find, Thing, StringComparison.Ordinal);

        var r = Reject(ThingsParser, Thing.Replace(find, replace, StringComparison.Ordinal));

        Assert.Equal(reason, r.Reason);
        Assert.Equal(message, r.Message);
        Assert.Equal(find[1..2], r.Field);
    }

    [Theory]
    [InlineData("\"2026-11-25T10:15:30\"", "event time 'ts' '2026-11-25T10:15:30' has no UTC offset; write Z or ±hh:mm")]
    [InlineData("\"2026-11-25\"", "event time 'ts' '2026-11-25' has no UTC offset; write Z or ±hh:mm")]
    [InlineData("\"25/11/2026 10:15\"", "event time 'ts' '25/11/2026 10:15' is not an ISO-8601 date-time")]
    [InlineData("\"2026-13-25T10:15:30Z\"", "event time 'ts' '2026-13-25T10:15:30Z' is not an ISO-8601 date-time")]
    [InlineData("1764065730123.5", "event time 'ts' = 1764065730123.5 is not an integer number of epoch milliseconds")]
    [InlineData("true", "event time 'ts' must be an ISO-8601 string or epoch milliseconds, got a boolean")]
    [InlineData("null", "event time 'ts' must be an ISO-8601 string or epoch milliseconds, got null")]
    public void Unparsable_times_are_rejected(string ts, string message)
    {
        var r = Reject(OrdersParser, Order.Replace("\"2026-11-25T10:15:30.123Z\"", ts, StringComparison.Ordinal));

        Assert.Equal(new EventRejection(RejectionReason.InvalidTime, "ts", message), r);
    }

    [Theory]
    [InlineData("\"1999-12-31T23:59:59.999Z\"", "event time 'ts' = 1999-12-31T23:59:59.999Z is outside [2000-01-01T00:00:00.000Z, 2100-01-01T00:00:00.000Z)")]
    [InlineData("\"2100-01-01T00:00:00Z\"", "event time 'ts' = 2100-01-01T00:00:00.000Z is outside [2000-01-01T00:00:00.000Z, 2100-01-01T00:00:00.000Z)")]
    [InlineData("1764065730", "event time 'ts' = 1970-01-21T10:01:05.730Z is outside [2000-01-01T00:00:00.000Z, 2100-01-01T00:00:00.000Z) (epoch seconds instead of milliseconds?)")]
    [InlineData("-5", "event time 'ts' = 1969-12-31T23:59:59.995Z is outside [2000-01-01T00:00:00.000Z, 2100-01-01T00:00:00.000Z)")]
    [InlineData("9223372036854775807", "event time 'ts' = 9223372036854775807 is outside [2000-01-01T00:00:00.000Z, 2100-01-01T00:00:00.000Z)")]
    public void Absurd_times_are_rejected(string ts, string message)
    {
        var r = Reject(OrdersParser, Order.Replace("\"2026-11-25T10:15:30.123Z\"", ts, StringComparison.Ordinal));

        Assert.Equal(new EventRejection(RejectionReason.TimeOutOfRange, "ts", message), r);
    }

    [Fact]
    public void The_time_window_bounds_are_configurable_and_inclusive_exclusive()
    {
        var parser = new EventParser(TestCatalogs.Orders, new EventParserOptions
        {
            MinEventTime = new DateTimeOffset(2026, 11, 25, 10, 15, 30, 123, TimeSpan.Zero),
            MaxEventTime = new DateTimeOffset(2026, 11, 25, 10, 15, 30, 124, TimeSpan.Zero),
        });

        Parse(parser, Order);
        Assert.Equal(RejectionReason.TimeOutOfRange, Reject(parser, Order.Replace(".123Z", ".124Z", StringComparison.Ordinal)).Reason);
        Assert.Equal(RejectionReason.TimeOutOfRange, Reject(parser, Order.Replace(".123Z", ".122Z", StringComparison.Ordinal)).Reason);
    }

    [Fact]
    public void Messages_over_the_size_limit_are_rejected()
    {
        var parser = new EventParser(TestCatalogs.Orders, new EventParserOptions { MaxEventBytes = 100 });
        var json = Encoding.UTF8.GetBytes(Order);

        var r = Reject(parser, json);

        Assert.Equal(RejectionReason.TooLarge, r.Reason);
        Assert.Equal($"message is {json.Length} bytes; the limit is 100", r.Message);
        Assert.Equal(64 * 1024, EventParserOptions.Default.MaxEventBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"order_id\":")]
    [InlineData("not json")]
    [InlineData("{\"order_id\":\"o\",}")]
    [InlineData("{'order_id':'o'}")]
    public void Malformed_messages_are_rejected_as_not_json(string text)
    {
        Assert.Equal(RejectionReason.NotJson, Reject(OrdersParser, text).Reason);
    }

    [Fact]
    public void Trailing_content_after_the_object_is_not_json()
    {
        var r = Reject(OrdersParser, Order + " {}");

        Assert.Equal(RejectionReason.NotJson, r.Reason);
    }

    [Fact]
    public void Invalid_utf8_in_a_string_field_is_not_json()
    {
        var bytes = Encoding.UTF8.GetBytes(Order.Replace("\"US\"", "\"U#\"", StringComparison.Ordinal));
        bytes[Array.IndexOf(bytes, (byte)'#')] = 0xFF;

        var r = Reject(OrdersParser, bytes);

        Assert.Equal(RejectionReason.NotJson, r.Reason);
        Assert.Equal("country", r.Field);
    }

    [Theory]
    [InlineData("[1,2]", "message is an array, not a JSON object")]
    [InlineData("\"text\"", "message is a string, not a JSON object")]
    [InlineData("42", "message is a number, not a JSON object")]
    [InlineData("null", "message is null, not a JSON object")]
    public void Json_that_is_not_an_object_is_rejected(string json, string message)
    {
        var r = Reject(OrdersParser, json);

        Assert.Equal(new EventRejection(RejectionReason.NotAnObject, null, message), r);
    }

    [Theory]
    [InlineData("\"country\":\"US\"", "\"country\":\"US\",\"country\":\"DE\"", "country")]
    [InlineData("\"ts\":\"2026-11-25T10:15:30.123Z\"", "\"ts\":\"2026-11-25T10:15:30.123Z\",\"ts\":1", "ts")]
    public void Duplicate_fields_are_rejected(string find, string replace, string field)
    {
        var r = Reject(OrdersParser, Order.Replace(find, replace, StringComparison.Ordinal));

        Assert.Equal(RejectionReason.DuplicateField, r.Reason);
        Assert.Equal(field, r.Field);
    }

    [Fact]
    public void A_record_is_reused_and_reset_between_parses()
    {
        var record = OrdersParser.CreateRecord();
        Assert.True(OrdersParser.TryParse(Encoding.UTF8.GetBytes(Order), record, out _));
        var copy = record.Clone();

        Assert.False(OrdersParser.TryParse("{\"ts\":1764065730000}"u8, record, out var rejection));
        Assert.Equal(RejectionReason.MissingField, rejection.Reason);
        Assert.False(record.IsSet(0));
        Assert.Throws<InvalidOperationException>(() => record.GetString(0));

        Assert.Equal("o-1", copy.GetString(0));
        Assert.Equal(copy.ToString(), Parse(OrdersParser, Order).ToString());
    }

    [Fact]
    public void A_record_of_another_source_is_refused()
    {
        var record = new EventRecord(Things);

        Assert.Throws<ArgumentException>(() => OrdersParser.TryParse(Encoding.UTF8.GetBytes(Order), record, out _));
    }

    [Fact]
    public void Parsing_an_accepted_event_allocates_nothing()
    {
        var json = Encoding.UTF8.GetBytes(Order.Replace("\"US\"", "\"caf\\u00e9\"", StringComparison.Ordinal));
        var record = OrdersParser.CreateRecord();
        for (var i = 0; i < 100; i++)
        {
            Assert.True(OrdersParser.TryParse(json, record, out _));
        }

        var allocated = SteadyStateAllocation.MinimumBytesPerRound(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                OrdersParser.TryParse(json, record, out _);
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal("café", record.GetString(2));
    }

    [Fact]
    public void Typed_getters_check_the_field_type()
    {
        var e = Parse(OrdersParser, Order);

        var ex = Assert.Throws<InvalidOperationException>(() => e.GetLong(3));
        Assert.Contains("'amount'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_can_be_built_without_json()
    {
        var record = new EventRecord(TestCatalogs.Orders);
        record.SetTimestamp(new DateTimeOffset(2026, 11, 25, 11, 15, 30, TimeSpan.FromHours(1)));
        record.SetString(0, "o-1");
        record.SetStringUtf8(1, "u-7"u8);
        record.SetValue(2, FieldValue.FromString("US"));
        record.SetDecimal(3, 12.5m);
        record.SetString(4, "paid");

        Assert.True(record.IsComplete);
        Assert.Equal(Parse(OrdersParser, Order.Replace(".123Z", "Z", StringComparison.Ordinal)).ToString(), record.ToString());
        Assert.Throws<ArgumentException>(() => record.SetDecimal(3, 1.234m));
        Assert.Throws<ArgumentException>(() => record.SetValue(3, FieldValue.FromLong(1)));
    }
}
