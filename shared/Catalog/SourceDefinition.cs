using System.Diagnostics.CodeAnalysis;
using Lambda.Shared.Filtering.Expressions;
using Lambda.Shared.Lookups;

namespace Lambda.Shared.Catalog;

/// <summary>
/// An event source: one Kafka topic whose messages are UTF-8 JSON objects with an event-time field and
/// typed fields. A declared field is required in every event unless optional (<see cref="FieldDefinition.IsOptional"/>); unknown extra properties are ignored.
/// </summary>
public sealed class SourceDefinition
{
    private readonly Dictionary<string, FieldDefinition> _byName;

    private readonly Dictionary<int, FieldDefinition[]> _rawInputs;

    internal SourceDefinition(string name, string topic, string timeField, IReadOnlyList<FieldDefinition> fields, string? keyField)
        : this(name, topic, timeField, fields, keyField, [], [], [])
    {
    }

    internal SourceDefinition(
        string name,
        string topic,
        string timeField,
        IReadOnlyList<FieldDefinition> fields,
        string? keyField,
        IReadOnlyList<FieldDefinition> derivedFields,
        IReadOnlyList<DerivedFieldCompilation> derivations,
        IReadOnlyList<EnrichmentDefinition> enrichments)
    {
        Name = name;
        Topic = topic;
        TimeField = timeField;
        Fields = fields;
        KeyField = keyField;
        DerivedFields = derivedFields;
        Enrichments = enrichments;
        _byName = fields.Concat(derivedFields).ToDictionary(f => f.Name, StringComparer.Ordinal);
        _rawInputs = derivations.Select(d => (d.Field, d.RawInputs))
            .Concat(enrichments.SelectMany(e => e.Fields.Select(f => (Field: f, e.RawInputs))))
            .ToDictionary(d => d.Field.Ordinal, d => d.RawInputs.Select(o => fields[o]).ToArray());
        Derivation = derivations.Count == 0 && enrichments.Count == 0
            ? null
            : new DerivedFieldEvaluator(enrichments, derivations.Select(d => d.Field).ToArray(), derivations.Select(d => d.Expression).ToArray());
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
    /// The derived fields (<c>derive:</c>): named expressions over the event, computed per event when views are
    /// aggregated (never stored in the master dataset). Their ordinals follow <see cref="Fields"/>; a view can use them
    /// like fields (dimension, measure argument, <c>where</c>).
    /// </summary>
    public IReadOnlyList<FieldDefinition> DerivedFields { get; }

    /// <summary>
    /// The lookup joins (<c>enrich:</c>), in declaration order. Their fields are the first of <see cref="DerivedFields"/>:
    /// computed per event at its event time, null when no row is valid, and usable like derived fields.
    /// </summary>
    public IReadOnlyList<EnrichmentDefinition> Enrichments { get; }

    /// <summary>Computes the derived fields into a record; null when the source has none.</summary>
    internal DerivedFieldEvaluator? Derivation { get; }

    /// <summary>
    /// The declared fields whose values <paramref name="fields"/> need: the declared ones themselves, and for a derived
    /// field the declared fields its expression reads (through earlier derived fields too), in ordinal order. A
    /// reader that fills records with selected columns reads these.
    /// </summary>
    public IReadOnlyList<FieldDefinition> RawInputsOf(IEnumerable<FieldDefinition> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return fields.SelectMany(f => _rawInputs.TryGetValue(f.Ordinal, out var inputs) && f.IsDerived ? inputs : [f])
            .Distinct()
            .OrderBy(f => f.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Optional field whose value producers (e.g. the ingest endpoint) use as the Kafka message key,
    /// so events with the same key land in the same partition; null when not declared.
    /// </summary>
    public string? KeyField { get; }

    /// <summary>The field (declared or derived) named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The source has no such field.</exception>
    public FieldDefinition GetField(string name) =>
        _byName.TryGetValue(name, out var field)
            ? field
            : throw new KeyNotFoundException($"field '{name}' is not in source '{Name}'");

    /// <summary>Looks a field (declared or derived) up by name.</summary>
    public bool TryGetField(string name, [NotNullWhen(true)] out FieldDefinition? field) => _byName.TryGetValue(name, out field);

    /// <inheritdoc/>
    public override string ToString() => $"source {Name} (topic {Topic})";
}
