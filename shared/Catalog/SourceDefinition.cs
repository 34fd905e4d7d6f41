using System.Diagnostics.CodeAnalysis;

namespace Lambda.Shared.Catalog;

/// <summary>
/// An event source: one Kafka topic whose messages are UTF-8 JSON objects with an event-time field and
/// typed fields. Every declared field is required in every event; unknown extra properties are ignored.
/// </summary>
public sealed class SourceDefinition
{
    private readonly Dictionary<string, FieldDefinition> _byName;

    internal SourceDefinition(string name, string topic, string timeField, IReadOnlyList<FieldDefinition> fields, string? keyField)
    {
        Name = name;
        Topic = topic;
        TimeField = timeField;
        Fields = fields;
        KeyField = keyField;
        _byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    /// <summary>The source name (a safe identifier, <c>[a-z_][a-z0-9_]*</c>).</summary>
    public string Name { get; }

    /// <summary>The Kafka topic that carries the source's events.</summary>
    public string Topic { get; }

    /// <summary>
    /// The JSON property that holds the event time (ISO-8601 with an offset, or epoch milliseconds).
    /// It is not one of <see cref="Fields"/>: events expose it as <see cref="Events.EventRecord.TimestampMilliseconds"/>.
    /// </summary>
    public string TimeField { get; }

    /// <summary>The typed fields in declaration order; <see cref="FieldDefinition.Ordinal"/> is the index in this list.</summary>
    public IReadOnlyList<FieldDefinition> Fields { get; }

    /// <summary>
    /// Optional field whose value producers (e.g. the ingest endpoint) use as the Kafka message key,
    /// so events with the same key land in the same partition; null when not declared.
    /// </summary>
    public string? KeyField { get; }

    /// <summary>The field named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The source has no such field.</exception>
    public FieldDefinition GetField(string name) =>
        _byName.TryGetValue(name, out var field)
            ? field
            : throw new KeyNotFoundException($"field '{name}' is not in source '{Name}'");

    /// <summary>Looks a field up by name.</summary>
    public bool TryGetField(string name, [NotNullWhen(true)] out FieldDefinition? field) => _byName.TryGetValue(name, out field);

    /// <inheritdoc/>
    public override string ToString() => $"source {Name} (topic {Topic})";
}
