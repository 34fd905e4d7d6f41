namespace Lambda.ServingLayer.Ingest;

/// <summary>The serving layer's seam to Kafka for ingest.</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Writes <paramref name="events"/> to <paramref name="topic"/> and returns once the broker has acknowledged
    /// every one of them (acks=all, idempotent producer).
    /// </summary>
    /// <exception cref="EventPublishException">Some events were not acknowledged (they may or may not be stored).</exception>
    Task PublishAsync(string topic, IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken);
}
