using System.ComponentModel;
using Hangfire;
using Lambda.BatchLayer.Recompute;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// The Hangfire job that runs one chunk of a distributed recompute on whichever batch-layer instance fetches it
/// (<see cref="HangfireChunkDispatcher"/>). Never retried by Hangfire: a chunk that fails fails its run (which the
/// recompute's own retry redoes), and one whose worker dies is taken over by the coordinator once its lease runs out.
/// </summary>
public sealed class RecomputeChunkJob
{
    private readonly ChunkWorker _worker;
    private readonly ILogger<RecomputeChunkJob> _logger;

    /// <summary>Created by Hangfire's job activator from DI.</summary>
    public RecomputeChunkJob(ChunkWorker worker, ILogger<RecomputeChunkJob> logger)
    {
        _worker = worker ?? throw new ArgumentNullException(nameof(worker));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Runs chunk <paramref name="chunk"/> of engine run <paramref name="runId"/> if it is still to do (with the other
    /// claimable chunks of its source on up to <c>Batch:Recompute:DaysPerClaim</c> days); returns a one-line summary.
    /// </summary>
    [Queue(RecomputeJob.Queue)]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("Batch recompute chunk: run {0} chunk {1}")]
    public async Task<string> RunAsync(string runId, int chunk, CancellationToken cancellationToken)
    {
        var spec = await _worker.Store.GetRunningSpecAsync(runId, cancellationToken).ConfigureAwait(false);
        if (spec is null)
        {
            return $"run {runId} has ended; chunk {chunk} not run";
        }

        var outcomes = await _worker.RunAsync(spec, chunk, cancellationToken).ConfigureAwait(false);
        if (outcomes is null)
        {
            return $"chunk {chunk} of run {runId} was taken by another worker";
        }

        var numbers = string.Join(", ", outcomes.Select(o => o.Number));
        var (rows, read) = (outcomes.Sum(o => o.Rows), outcomes.Sum(o => o.RowsRead));
        _logger.LogInformation("Recompute {RunId}: chunks {Chunks} done, {Rows} rows written from {RowsRead} rows read", runId, numbers, rows, read);
        return $"chunks {numbers} of run {runId}: {rows} rows written, {read} rows read";
    }
}
