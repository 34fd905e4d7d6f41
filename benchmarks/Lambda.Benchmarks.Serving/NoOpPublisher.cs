using Lambda.ServingLayer.Ingest;

namespace Lambda.Benchmarks.Serving;

/// <summary>Acknowledges at once: the cost measured is splitting and validating.</summary>
internal sealed class NoOpPublisher : IEventPublisher
{
    public Task PublishAsync(string topic, IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken) => Task.CompletedTask;
}
