using System.Collections.Concurrent;
using Lambda.ServingLayer.Admin;
using Lambda.Shared.Batch;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Records enqueued recomputes and ad hoc jobs; numbers jobs 1, 2, ...</summary>
internal sealed class FakeBatchJobScheduler : IBatchJobScheduler
{
    public ConcurrentQueue<RecomputeRequest> Enqueued { get; } = new();

    public ConcurrentQueue<Guid> EnqueuedAdHocJobs { get; } = new();

    public Exception? Failure { get; set; }

    public Task<string> EnqueueRecomputeAsync(RecomputeRequest request, CancellationToken cancellationToken)
    {
        if (Failure is { } failure)
        {
            throw failure;
        }

        Enqueued.Enqueue(request);
        return Task.FromResult(Enqueued.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<string> EnqueueAdHocJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        if (Failure is { } failure)
        {
            throw failure;
        }

        EnqueuedAdHocJobs.Enqueue(jobId);
        return Task.FromResult("adhoc-" + EnqueuedAdHocJobs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
