using System.Threading.Channels;
using Lambda.ServingLayer.Alerts.Storage;
using Lambda.ServingLayer.Telemetry;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Lambda.ServingLayer.Alerts.Delivery;

/// <summary>
/// Sends recorded transitions to the <see cref="IAlertNotifier"/> one after the other, in the order they were queued (so a
/// receiver hears a group's "firing" before its "ok"), away from the evaluation loop: a slow or failing webhook delays
/// notifications, never evaluations. Each is tried <see cref="AlertOptions.WebhookAttempts"/> times with exponential
/// back-off from <see cref="AlertOptions.WebhookRetryBaseDelay"/> (Polly, with jitter), then recorded as delivered or
/// failed on its <c>alert_history</c> row. One still pending when the process stops is sent by the next leader, with the
/// same id.
/// </summary>
public sealed partial class AlertDeliveryService : BackgroundService
{
    private readonly Channel<AlertTransition> _queue = Channel.CreateUnbounded<AlertTransition>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<Guid> _queued = [];
    private readonly IAlertNotifier _notifier;
    private readonly IAlertRuleStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertDeliveryService> _logger;
    private readonly ServingLayerMetrics? _metrics;
    private readonly ResiliencePipeline _retry;
    private readonly int _attempts;

    /// <summary>Creates the service; <paramref name="timeProvider"/> runs the back-off.</summary>
    public AlertDeliveryService(
        IAlertNotifier notifier,
        IAlertRuleStore store,
        IOptions<AlertOptions> options,
        TimeProvider timeProvider,
        ILogger<AlertDeliveryService> logger,
        ServingLayerMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _notifier = notifier;
        _store = store;
        _time = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _attempts = options.Value.WebhookAttempts;
        _retry = _attempts <= 1
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder { TimeProvider = timeProvider }
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                    MaxRetryAttempts = _attempts - 1,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.Value.WebhookRetryBaseDelay,
                    MaxDelay = TimeSpan.FromMinutes(5),
                    OnRetry = args =>
                    {
                        LogRetry(_logger, args.Outcome.Exception, args.AttemptNumber + 1, _attempts, args.RetryDelay.TotalMilliseconds);
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
    }

    /// <summary>Transitions queued or being sent.</summary>
    public int Backlog
    {
        get
        {
            lock (_queued)
            {
                return _queued.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="transition"/> (once: queuing an id already queued does nothing).</summary>
    public void Enqueue(AlertTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        lock (_queued)
        {
            if (!_queued.Add(transition.Id))
            {
                return;
            }
        }

        _queue.Writer.TryWrite(transition);
    }

    /// <summary>Sends one transition with retries and records the outcome.</summary>
    public async Task DeliverAsync(AlertTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var attempts = transition.Attempts;
        try
        {
            await _retry.ExecuteAsync(
                async token =>
                {
                    attempts++;
                    await _notifier.NotifyAsync(transition.Notification, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(_logger, e, transition.Notification.Rule, transition.Notification.State, transition.Id, attempts);
            await _store.RecordDeliveryAsync(transition.Id, AlertDeliveryStates.Failed, attempts, null, e.Message, cancellationToken).ConfigureAwait(false);
            _metrics?.AlertDelivery(AlertDeliveryStates.Failed);
            return;
        }

        await _store.RecordDeliveryAsync(transition.Id, AlertDeliveryStates.Delivered, attempts, _time.GetUtcNow(), null, cancellationToken).ConfigureAwait(false);
        _metrics?.AlertDelivery(AlertDeliveryStates.Delivered);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var transition in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await DeliverAsync(transition, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Recording the outcome failed: the row stays pending and the next leader sends it again (same id).
                    LogRecordFailed(_logger, e, transition.Id);
                }
                finally
                {
                    lock (_queued)
                    {
                        _queued.Remove(transition.Id);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued stays pending in the store.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert webhook failed; attempt {Attempt} of {Attempts} in {DelayMs:0} ms")]
    private static partial void LogRetry(ILogger logger, Exception? exception, int attempt, int attempts, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Rule}: the {State} notification {Id} failed after {Attempts} attempts; recorded as failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string rule, string state, Guid id, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording the delivery of alert transition {Id} failed; it stays pending")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, Guid id);
}
