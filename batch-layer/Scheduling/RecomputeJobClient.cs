using Hangfire;
using Lambda.BatchLayer.Recompute;
using Lambda.Shared.Batch;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>Enqueues <see cref="RecomputeJob"/>s (command line <c>recompute --enqueue</c>).</summary>
public sealed class RecomputeJobClient
{
    private readonly IBackgroundJobClient _client;

    /// <summary>Creates the client over Hangfire's.</summary>
    public RecomputeJobClient(IBackgroundJobClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>Enqueues a recompute on <see cref="RecomputeJob.Queue"/> and returns the Hangfire job id.</summary>
    public string Enqueue(RecomputeRequest request, string requestedBy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        var arguments = RecomputeArguments.Of(request);
        return _client.Enqueue<RecomputeJob>(
            RecomputeJob.Queue, job => job.RunAsync(arguments.Mode, arguments.From, arguments.To, requestedBy, CancellationToken.None));
    }
}
