using Lambda.Shared.Catalog;

namespace Lambda.Shared.Tests.Catalog;

public sealed class OptionalFieldCatalogTests
{
    private static string Catalog(string fields, string time = "ts", string key = "user_id") => $"""
        sources:
          orders:
            topic: orders
            time: {time}
            key: {key}
            fields:
              user_id: string
        {fields}
        views:
          v:
            source: orders
            granularity: minute
            measures: {"{ n: count }"}
        """;

    private static CatalogError SingleError(string yaml)
    {
        Assert.False(CatalogLoader.TryParse(yaml, out _, out var errors));
        // The view over the refused source is reported too, as for any invalid source.
        Assert.Equal(2, errors.Count);
        Assert.Equal("views.v.source: source 'orders' is invalid (see its errors)", errors[1].ToString());
        return errors[0];
    }

    [Fact]
    public void Optional_fields_with_and_without_defaults_are_parsed()
    {
        var catalog = CatalogLoader.Parse(Catalog("""
                  channel: string?
                  tries: long? = 0
                  note: string? = 'it''s none'
                  fee: decimal(18,2)? = 1.5
                  vip: bool? = false
                  seen: timestamp? = '2026-01-01T00:00:00Z'
            """));
        var orders = catalog.GetSource("orders");

        Assert.False(orders.GetField("user_id").IsOptional);
        Assert.True(orders.GetField("channel").IsOptional);
        Assert.Null(orders.GetField("channel").Default);
        Assert.True(orders.GetField("channel").IsNullable);
        Assert.Equal(0L, orders.GetField("tries").Default!.Value.AsLong());
        Assert.False(orders.GetField("tries").IsNullable);
        Assert.Equal("it's none", orders.GetField("note").Default!.Value.AsString());
        Assert.Equal(1.50m, orders.GetField("fee").Default!.Value.AsDecimal());
        Assert.False(orders.GetField("vip").Default!.Value.AsBool());
        Assert.Equal(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), orders.GetField("seen").Default!.Value.AsTimestamp());
        Assert.Equal(
            ["user_id: string", "channel: string?", "tries: long? = 0", "note: string? = 'it''s none'", "fee: decimal(18,2)? = 1.50", "vip: bool? = false", "seen: timestamp? = '2026-01-01T00:00:00.000Z'"],
            orders.Fields.Select(f => f.ToString()));
    }

    [Theory]
    [InlineData("      tries: long? = 1.5", "default '1.5' is not a valid long value")]
    [InlineData("      tries: long? = abc", "default 'abc' is not a valid long value")]
    [InlineData("      fee: decimal(5,2)? = 1.234", "default '1.234' is not a valid decimal(5,2) value")]
    [InlineData("      vip: bool? = yes", "default 'yes' is not a bool; expected true or false")]
    [InlineData("      note: string? = none", "default 'none' of a string field must be in single quotes, e.g. 'unknown'")]
    [InlineData("      tries: long? = '0'", "default '0' of a long field must not be quoted")]
    [InlineData("      tries: long = 0", "only an optional field has a default; write 'long? = 0'")]
    public void A_bad_default_is_refused_with_its_line_and_column(string field, string message)
    {
        var error = SingleError(Catalog(field));

        var name = field.Trim().Split(':')[0];
        Assert.Equal($"sources.orders.fields.{name}", error.Path);
        Assert.Equal(message, error.Message);
        Assert.Equal(8, error.Line);
        Assert.Equal(field.IndexOf(':', StringComparison.Ordinal) + 3, error.Column);
    }

    [Fact]
    public void The_event_time_field_cannot_be_optional()
    {
        var error = SingleError(Catalog(string.Empty, time: "ts?"));

        Assert.Equal("sources.orders.time", error.Path);
        Assert.Equal("the event-time field 'ts' cannot be optional: every event needs its time", error.Message);
        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void The_key_field_cannot_be_optional()
    {
        var error = SingleError(Catalog("      session: string?", key: "session"));

        Assert.Equal("sources.orders.key", error.Path);
        Assert.Equal("the key field 'session' cannot be optional: every event needs its key", error.Message);
    }

    [Fact]
    public void A_view_over_an_optional_field_changes_its_definition_hash()
    {
        static ViewDefinition View(string type) => CatalogLoader.Parse($"""
            sources:
              s:
                topic: s
                time: ts
                fields:
                  channel: {type}
            views:
              v:
                source: s
                granularity: minute
                dimensions: [channel]
                measures: {"{ n: count }"}
            """).GetView("v");

        Assert.NotEqual(View("string").DefinitionHash, View("string?").DefinitionHash);
        Assert.NotEqual(View("string?").DefinitionHash, View("string? = 'web'").DefinitionHash);
        Assert.Equal(View("string").DefinitionHash, View("string").DefinitionHash);
    }
}
