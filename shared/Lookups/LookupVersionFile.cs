using System.Globalization;
using System.Text.Json;
using Lambda.Shared.Events;

namespace Lambda.Shared.Lookups;

/// <summary>
/// The bytes of one lookup version (JSON: name, version, publish time, definition, column names, rows of canonical
/// strings), the same whichever store holds them (<see cref="FileLookupStore"/>, <see cref="ObjectStoreLookupStore"/>).
/// </summary>
public static class LookupVersionFile
{
    /// <summary>Reads version <paramref name="version"/> of <paramref name="lookup"/> from <paramref name="bytes"/>.</summary>
    /// <exception cref="InvalidDataException">The version does not fit the lookup's current definition.</exception>
    public static LookupTable Parse(LookupDefinition lookup, long version, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        var header = root.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
        var publishedAt = DateTimeOffset.Parse(root.GetProperty("published_at").GetString()!, CultureInfo.InvariantCulture);
        var rows = root.GetProperty("rows").EnumerateArray()
            .Select((row, i) => ($"row {i + 1}", (IReadOnlyList<string?>)row.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Null ? null : c.GetString()).ToArray()));
        try
        {
            return new LookupTable(lookup, version, publishedAt, LookupRowsReader.FromCells(lookup, header, rows));
        }
        catch (LookupPublishException ex)
        {
            // Written under another definition of the lookup (the catalog changed since): publish it again.
            throw new InvalidDataException($"lookup '{lookup.Name}' version {version} does not fit the catalog's definition ({ex.Message}); publish the lookup again", ex);
        }
    }

    /// <summary>The bytes of a version (rows already validated by <see cref="LookupTable"/>).</summary>
    public static byte[] Serialize(LookupDefinition lookup, long version, DateTimeOffset publishedAt, IReadOnlyList<LookupRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteString("lookup", lookup.Name);
            writer.WriteNumber("version", version);
            writer.WriteString("published_at", publishedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            writer.WriteString("definition", lookup.CanonicalForm);
            writer.WriteStartArray("columns");
            foreach (var column in lookup.ColumnNames)
            {
                writer.WriteStringValue(column);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("rows");
            foreach (var row in rows)
            {
                writer.WriteStartArray();
                foreach (var key in row.Keys)
                {
                    writer.WriteStringValue(key.ToCanonicalString());
                }

                if (row.ValidFromMilliseconds is { } from)
                {
                    writer.WriteStringValue(LookupValidFrom.Format(from, lookup.Versioning));
                }

                foreach (var value in row.Values)
                {
                    WriteCell(writer, value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteCell(Utf8JsonWriter writer, FieldValue value)
    {
        if (value.IsNull)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value.ToCanonicalString());
        }
    }
}
