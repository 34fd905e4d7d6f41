using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// Evaluates every alert rule at start and then every <see cref="AlertOptions.EvaluationInterval"/> (on the
/// registered <see cref="TimeProvider"/>'s clock). A failing round is logged; the loop only ends with the host.
/// </summary>
internal sealed partial class AlertEvaluationService(
    AlertMonitor monitor, IOptions<AlertOptions> options, TimeProvider timeProvider, ILogger<AlertEvaluationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (monitor.Rules.Count == 0)
        {
            return;
        }

        var interval = options.Value.EvaluationInterval;
        LogStarted(logger, monitor.Rules.Count, interval);
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            do
            {
                try
                {
                    await monitor.EvaluateAllAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRoundFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped(logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluating {Count} alert rules every {Interval}")]
    private static partial void LogStarted(ILogger logger, int count, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Error, Message = "An alert evaluation round failed; the next round runs as scheduled")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert evaluation stopped")]
    private static partial void LogStopped(ILogger logger);
}
