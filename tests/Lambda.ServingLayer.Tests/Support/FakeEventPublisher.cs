using System.Collections.Concurrent;
using Lambda.ServingLayer.Ingest;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Records what would have gone to Kafka; can hold deliveries back or fail them.</summary>
internal sealed class FakeEventPublisher : IEventPublisher
{
    public ConcurrentQueue<(string Topic, OutgoingEvent Event)> Published { get; } = new();

    /// <summary>When set, a publish waits for it before acknowledging.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>When set, a publish fails with it.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Completes when a publish has started (and waits at <see cref="Gate"/>).</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task PublishAsync(string topic, IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken)
    {
        Started.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        foreach (var e in events)
        {
            Published.Enqueue((topic, e));
        }
    }
}
