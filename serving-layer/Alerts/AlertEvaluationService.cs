using Lambda.ServingLayer.Alerts.Leadership;
using Lambda.ServingLayer.Alerts.Storage;
using Lambda.ServingLayer.Telemetry;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// At start, creates the alert tables and writes the configured rules (<c>Serving:Alerts:Rules</c>) to the store; then, on
/// every instance, tries to lead (<see cref="IAlertLeadership"/>) every <see cref="AlertOptions.LeaderRetryInterval"/>. The
/// leader evaluates every rule at once and then every <see cref="AlertOptions.EvaluationInterval"/> (on the registered
/// <see cref="TimeProvider"/>'s clock), checking before each round that it still leads. A failing round is logged; the loop
/// only ends with the host, which gives the leadership up.
/// </summary>
internal sealed partial class AlertEvaluationService(
    AlertMonitor monitor,
    IAlertRuleStore store,
    IAlertLeadership leadership,
    IOptions<AlertOptions> options,
    TimeProvider timeProvider,
    ILogger<AlertEvaluationService> logger,
    ServingLayerMetrics? metrics = null) : BackgroundService
{
    private bool _synced;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server takes requests, so GET /api/alerts lists the configured rules from the first answer; a
        // database that is not there yet does not hold the start up: ExecuteAsync tries again.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await SyncOnceAsync(options.Value, timeout.Token).ConfigureAwait(false);
            _synced = true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogSyncFailed(logger, e, options.Value.LeaderRetryInterval);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        try
        {
            if (!_synced)
            {
                await SyncConfigurationAsync(settings, stoppingToken).ConfigureAwait(false);
            }

            LogStarted(logger, settings.Rules.Count, settings.EvaluationInterval, settings.LeaderRetryInterval);
            while (!stoppingToken.IsCancellationRequested)
            {
                var leading = await TryLeadAsync(stoppingToken).ConfigureAwait(false);
                if (leading)
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

                await Task.Delay(leading ? settings.EvaluationInterval : settings.LeaderRetryInterval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped(logger);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (leadership.IsLeader)
        {
            try
            {
                await leadership.ResignAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The session ends with the process anyway; the lock goes with it.
                LogResignFailed(logger, e);
            }
        }

        metrics?.AlertLeader(false);
    }

    private async Task SyncConfigurationAsync(AlertOptions settings, CancellationToken cancellationToken)
    {
        // PostgreSQL may still be starting with the rest of the platform: retry until the rules are written.
        while (true)
        {
            try
            {
                await SyncOnceAsync(settings, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogSyncFailed(logger, e, settings.LeaderRetryInterval);
                await Task.Delay(settings.LeaderRetryInterval, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SyncOnceAsync(AlertOptions settings, CancellationToken cancellationToken)
    {
        await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await store.SyncConfiguredRulesAsync(settings.Rules.ToArray(), timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> TryLeadAsync(CancellationToken cancellationToken)
    {
        var was = leadership.IsLeader;
        bool leading;
        try
        {
            leading = await leadership.TryLeadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogLeadFailed(logger, e);
            leading = false;
        }

        if (was && !leading)
        {
            monitor.Reset();
        }

        metrics?.AlertLeader(leading);
        return leading;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} alert rules configured; the leader evaluates every rule every {Interval}, others try to lead every {RetryInterval}")]
    private static partial void LogStarted(ILogger logger, int count, TimeSpan interval, TimeSpan retryInterval);

    [LoggerMessage(Level = LogLevel.Error, Message = "An alert evaluation round failed; the next round runs as scheduled")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the configured alert rules to PostgreSQL failed; trying again in {Delay}")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trying to lead alert evaluation failed; trying again later")]
    private static partial void LogLeadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Giving the alert leadership up failed")]
    private static partial void LogResignFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert evaluation stopped")]
    private static partial void LogStopped(ILogger logger);
}
