using Lambda.BatchLayer.Recompute;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Forwards progress to the caller's sink and keeps the latest report, which a loop writes to the run
/// history every few seconds: the engine reports from hot loops, so the report itself must stay cheap.
/// </summary>
internal sealed class RunProgressRecorder : IProgress<RecomputeProgress>
{
    private readonly IProgress<RecomputeProgress>? _next;
    private RecomputeProgress? _latest;
    private int _version;

    public RunProgressRecorder(IProgress<RecomputeProgress>? next) => _next = next;

    public RecomputeProgress? Latest => Volatile.Read(ref _latest);

    public void Report(RecomputeProgress value)
    {
        Volatile.Write(ref _latest, value);
        Interlocked.Increment(ref _version);
        _next?.Report(value);
    }

    /// <summary>Writes the latest report through <paramref name="flush"/> whenever it changed, until cancelled.</summary>
    public async Task RunFlushLoopAsync(
        Func<RecomputeProgress, CancellationToken, Task> flush, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        var written = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var version = Volatile.Read(ref _version);
                if (version == written || Latest is not { } latest)
                {
                    continue;
                }

                written = version;
                try
                {
                    await flush(latest, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Progress is informative; a failed write must not fail the recompute.
                    logger.LogWarning(ex, "Could not record recompute progress");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run ended.
        }
    }
}
