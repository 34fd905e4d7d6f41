using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Claims a chunk of a run in the <see cref="IRecomputeChunkStore"/>, runs it (<see cref="ChunkExecutor"/>) while renewing
/// its lease every third of <see cref="RecomputeOptions.ChunkLease"/>, and records the outcome. The coordinator and the
/// Hangfire chunk jobs of every instance run chunks through it, so a chunk is worked the same way wherever it runs.
/// </summary>
public sealed class ChunkWorker
{
    private readonly ChunkExecutor _executor;
    private readonly RecomputeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ChunkWorker> _logger;

    /// <summary>Creates the worker over <paramref name="store"/>.</summary>
    public ChunkWorker(IRecomputeChunkStore store, ChunkExecutor executor, IOptions<RecomputeOptions> options, TimeProvider time, ILogger<ChunkWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Store = store ?? throw new ArgumentNullException(nameof(store));
        _executor = executor ?? throw new ArgumentNullException(nameof(executor));
        _options = options.Value;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>This process's worker identity in the chunk store (and in <c>batch_runs.host</c>): machine name and process id.</summary>
    public static string Identity { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>The store the chunks are claimed in.</summary>
    public IRecomputeChunkStore Store { get; }

    /// <summary>
    /// Claims chunk <paramref name="number"/> (null: the first claimable) of <paramref name="spec"/>'s run, with the other
    /// claimable chunks of its source on up to <see cref="RecomputeOptions.DaysPerClaim"/> days, and runs them. Returns their outcomes, or null when nothing was claimable or
    /// the lease was lost meanwhile (another worker redoes them). A failure is recorded in the store (which fails the run)
    /// and rethrown; a cancellation gives the chunks back.
    /// </summary>
    public async Task<IReadOnlyList<ChunkOutcome>?> RunAsync(ChunkRunSpec spec, int? number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var chunks = await Store.TryClaimAsync(spec.RunId, number, Identity, _options.ChunkLease, _options.DaysPerClaim, cancellationToken).ConfigureAwait(false);
        if (chunks.Count == 0)
        {
            return null;
        }

        var numbers = chunks.Select(c => c.Number).ToArray();
        var days = chunks.Select(c => c.Day).Distinct().Order().ToArray();
        var what = $"{string.Join(", ", chunks.Select(c => c.View).Distinct(StringComparer.Ordinal))} of {chunks[0].Source} on "
            + (days.Length == 1 ? $"{days[0]:yyyy-MM-dd}" : $"{days.Length} days {days[0]:yyyy-MM-dd}..{days[^1]:yyyy-MM-dd}");
        _logger.LogDebug("Recompute {RunId}: claimed chunks {Chunks} ({What})", spec.RunId, numbers, what);
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(spec.RunId, numbers, lost, stopHeartbeat.Token);
        try
        {
            IReadOnlyList<ChunkOutcome> outcome;
            try
            {
                outcome = await _executor.RunAsync(spec, chunks, lost.Token).ConfigureAwait(false);
            }
            finally
            {
                await stopHeartbeat.CancelAsync().ConfigureAwait(false);
                await heartbeat.ConfigureAwait(false);
            }

            if (!await Store.CompleteAsync(spec.RunId, outcome, Identity, cancellationToken).ConfigureAwait(false))
            {
                _logger.LogWarning("Recompute {RunId}: chunks {Chunks} finished after their lease ran out; the worker that took them over records them", spec.RunId, numbers);
                return null;
            }

            return outcome;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Store.ReleaseAsync(spec.RunId, numbers, Identity, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            _logger.LogWarning("Recompute {RunId}: lost the lease of chunks {Chunks} ({What}); another worker redoes them", spec.RunId, numbers, what);
            return null;
        }
        catch (Exception ex)
        {
            await Store.FailAsync(spec.RunId, numbers, Identity, $"{ex.GetType().Name}: {ex.Message}", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task HeartbeatAsync(string runId, int[] numbers, CancellationTokenSource lost, CancellationToken stop)
    {
        var every = _options.ChunkLease / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, _time, stop).ConfigureAwait(false);
                bool held;
                try
                {
                    held = await Store.RenewAsync(runId, numbers, Identity, _options.ChunkLease, stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A renewal that failed (the database briefly away) is tried again; the lease covers two more tries.
                    _logger.LogWarning(ex, "Recompute {RunId}: renewing the lease of chunks {Chunks} failed", runId, numbers);
                    continue;
                }

                if (!held)
                {
                    await lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The chunk ended: no more renewals.
        }
    }
}
