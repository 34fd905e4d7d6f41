using System.Text;
using System.Text.Json;
using Lambda.ServingLayer.Json;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.ServingLayer.Tests.Json;

public sealed class JsonValuesTests
{
    [Theory]
    [InlineData("345.60")]
    [InlineData("99.00")]
    [InlineData("0.00")]
    [InlineData("-1.50")]
    [InlineData("12")]
    [InlineData("0.001")]
    [InlineData("999999999999999.999")]
    [InlineData("-79228162514264337593543950335")]
    public void Decimals_keep_their_scale(string text)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        var json = Write(w => JsonValues.WriteDecimal(w, value));

        Assert.Equal(text, json);
        Assert.Equal(value, JsonDocument.Parse(json).RootElement.GetDecimal());
    }

    [Fact]
    public void Decimal_scale_comes_from_the_field_not_from_the_digits()
    {
        Assert.Equal("345.60", Write(w => JsonValues.WriteMeasure(w, MeasureValue.FromDecimal(DecimalScaling.FromUnscaled(34560, 2)))));
        Assert.Equal("99.000", Write(w => JsonValues.WriteField(w, FieldValue.FromDecimal(99m, FieldType.Decimal(10, 3)))));
    }

    [Fact]
    public void Measures_are_integers_numbers_strings_or_null()
    {
        Assert.Equal("12", Write(w => JsonValues.WriteMeasure(w, MeasureValue.FromLong(12))));
        Assert.Equal("1.5", Write(w => JsonValues.WriteMeasure(w, MeasureValue.FromDouble(1.5))));
        Assert.Equal("null", Write(w => JsonValues.WriteMeasure(w, MeasureValue.FromDouble(double.NaN))));
        Assert.Equal("null", Write(w => JsonValues.WriteMeasure(w, MeasureValue.FromDouble(double.PositiveInfinity))));
        Assert.Equal("null", Write(w => JsonValues.WriteMeasure(w, MeasureValue.Null)));
        Assert.Equal("\"2026-11-25T10:00:00.123Z\"", Write(w => JsonValues.WriteMeasure(w, MeasureValue.FromTimestamp(1795600800123))));
    }

    [Fact]
    public void Dimensions_keep_their_json_type()
    {
        Assert.Equal("\"US \\\"x\\\"\"", Write(w => JsonValues.WriteField(w, FieldValue.FromString("US \"x\""))));
        Assert.Equal("-3", Write(w => JsonValues.WriteField(w, FieldValue.FromLong(-3))));
        Assert.Equal("0.25", Write(w => JsonValues.WriteField(w, FieldValue.FromDouble(0.25))));
        Assert.Equal("true", Write(w => JsonValues.WriteField(w, FieldValue.FromBool(true))));
        Assert.Equal("\"2026-11-25T10:00:00Z\"", Write(w => JsonValues.WriteField(w, FieldValue.FromTimestamp(1795600800000))));

        // The null group of a derived dimension, whatever its type.
        Assert.Equal("null", Write(w => JsonValues.WriteField(w, FieldValue.Null(FieldType.Decimal(18, 2)))));
        Assert.Equal("null", Write(w => JsonValues.WriteField(w, FieldValue.Null(FieldType.String))));
    }

    [Fact]
    public void Instants_are_utc_with_milliseconds_only_when_present()
    {
        Assert.Equal("2026-11-25T10:00:00Z", JsonValues.FormatInstant(1795600800000));
        Assert.Equal("2026-11-25T10:00:00.007Z", JsonValues.FormatInstant(1795600800007));
        Assert.Equal("1969-12-31T23:59:59Z", JsonValues.FormatInstant(-1000));
    }

    [Theory]
    [InlineData(1795600800000L)]
    [InlineData(1795600800007L)]
    [InlineData(-1000L)]
    public void An_instant_written_as_a_property_is_the_formatted_text(long epochMilliseconds)
    {
        var json = Write(w =>
        {
            w.WriteStartObject();
            JsonValues.WriteInstant(w, "bucket", epochMilliseconds);
            w.WriteEndObject();
        });

        Assert.Equal($"{{\"bucket\":\"{JsonValues.FormatInstant(epochMilliseconds)}\"}}", json);
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, ViewQueryResultWriter.WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
