using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lambda.ServingLayer.Json;

/// <summary>
/// Writes every <see cref="DateTimeOffset"/> of a serialised response in the contract's instant format
/// (<see cref="JsonValues.FormatInstant"/>: UTC, <c>Z</c>, milliseconds only when not zero), so alert states and
/// query answers spell instants alike; reads any ISO-8601 instant.
/// </summary>
public sealed class UtcInstantJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString() ?? throw new JsonException("an instant must be a string"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(JsonValues.FormatInstant(value.ToUnixTimeMilliseconds()));
    }
}
