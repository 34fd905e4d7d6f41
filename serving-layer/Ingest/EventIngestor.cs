using System.Collections.Frozen;
using System.Diagnostics;
using System.Text;
using Lambda.ServingLayer.Telemetry;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Ingest;

/// <summary>
/// Validates ingested records with the shared <see cref="EventParser"/> (the same rules the speed and batch
/// layers apply when they read the topic) and publishes the accepted ones, byte for byte as received, keyed by
/// the source's key field, awaiting Kafka's acknowledgement before it returns.
/// </summary>
public sealed partial class EventIngestor
{
    private readonly FrozenDictionary<string, EventParser> _parsers;
    private readonly IEventPublisher _publisher;
    private readonly ILogger<EventIngestor> _logger;
    private readonly ServingLayerMetrics? _metrics;

    /// <summary>Creates the ingestor with one parser per source of the catalog.</summary>
    public EventIngestor(LambdaCatalog catalog, IEventPublisher publisher, ILogger<EventIngestor> logger, ServingLayerMetrics? metrics = null)
    {
        _metrics = metrics;
        ArgumentNullException.ThrowIfNull(catalog);
        _parsers = catalog.Sources.ToFrozenDictionary(s => s.Name, s => new EventParser(s), StringComparer.Ordinal);
        _publisher = publisher;
        _logger = logger;
    }

    /// <summary>Validates and publishes <paramref name="records"/> of <paramref name="source"/>.</summary>
    /// <exception cref="EventPublishException">Kafka did not acknowledge every accepted record.</exception>
    public async Task<IngestResult> IngestAsync(SourceDefinition source, IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(records);
        var parser = _parsers[source.Name];
        var record = parser.CreateRecord();
        var keyOrdinal = source.KeyField is { } keyField ? source.GetField(keyField).Ordinal : -1;
        var accepted = new List<OutgoingEvent>(records.Count);
        var errors = new List<IngestError>();
        for (var i = 0; i < records.Count; i++)
        {
            var bytes = records[i];
            if (parser.TryParse(bytes.Span, record, out var rejection))
            {
                accepted.Add(new OutgoingEvent(keyOrdinal >= 0 ? KeyOf(record, keyOrdinal) : null, bytes.ToArray()));
            }
            else
            {
                errors.Add(new IngestError(i, rejection.Message, rejection.Field, Code(rejection.Reason)));
            }
        }

        // The records carry this activity's context (traceparent header), so the speed flush storing them links here.
        using (var activity = ServingLayerTracing.Source.StartActivity("ingest.publish", ActivityKind.Producer))
        {
            activity?.SetTag("messaging.destination.name", source.Topic);
            activity?.SetTag("lambda.accepted", accepted.Count);
            activity?.SetTag("lambda.rejected", errors.Count);
            await _publisher.PublishAsync(source.Topic, accepted, cancellationToken).ConfigureAwait(false);
        }

        _metrics?.Ingested(source.Name, accepted.Count, errors.Select(e => e.Code));
        LogIngested(_logger, source.Name, source.Topic, accepted.Count, errors.Count);
        return new IngestResult(accepted.Count, errors.Count, errors);
    }

    /// <summary>The snake_case code of a rejection reason.</summary>
    public static string Code(RejectionReason reason)
    {
        var name = reason.ToString();
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(name[i]));
        }

        return sb.ToString();
    }

    private static byte[] KeyOf(EventRecord record, int ordinal) =>
        record.Source.Fields[ordinal].Type.Kind == FieldKind.String
            ? record.GetStringUtf8(ordinal).ToArray()
            : Encoding.UTF8.GetBytes(record.GetValue(ordinal).ToCanonicalString());

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingest into {Source} ({Topic}): {Accepted} accepted, {Rejected} rejected")]
    private static partial void LogIngested(ILogger logger, string source, string topic, int accepted, int rejected);
}
