using Hangfire;
using Lambda.BatchLayer.Recompute;

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
        var mode = request.Mode.ToName();
        var from = RecomputeRequestParser.FormatDay(request.From);
        var to = RecomputeRequestParser.FormatDay(request.To);
        return _client.Enqueue<RecomputeJob>(RecomputeJob.Queue, job => job.RunAsync(mode, from, to, requestedBy, CancellationToken.None));
    }
}
