using System.Collections.Concurrent;
using Lambda.ServingLayer.Admin;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Records enqueued recomputes; numbers jobs 1, 2, ...</summary>
internal sealed class FakeBatchJobScheduler : IBatchJobScheduler
{
    public ConcurrentQueue<RecomputeCommand> Enqueued { get; } = new();

    public Exception? Failure { get; set; }

    public Task<string> EnqueueRecomputeAsync(RecomputeCommand command, CancellationToken cancellationToken)
    {
        if (Failure is { } failure)
        {
            throw failure;
        }

        Enqueued.Enqueue(command);
        return Task.FromResult(Enqueued.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
