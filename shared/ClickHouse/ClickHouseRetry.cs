using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// The one retry shape for transient ClickHouse failures (Polly, on a <see cref="TimeProvider"/>): exponential
/// backoff with jitter. The client applies it to idempotent calls by itself; callers that decide a call is safe
/// to repeat (an insert whose rows carry the offsets that make a duplicate detectable, creating tables, reading
/// where to resume) build their pipeline with <see cref="Create"/>, once per concern.
/// </summary>
public static partial class ClickHouseRetry
{
    /// <summary>
    /// The context property that ends retrying at a point in time (of the pipeline's <see cref="TimeProvider"/>):
    /// a failure after it is thrown as it is. Set it on a <see cref="ResilienceContext"/> for calls that must give up
    /// by a deadline, e.g. before a consumer group evicts the member that waits.
    /// </summary>
    public static readonly ResiliencePropertyKey<DateTimeOffset> Deadline = new("lambda.clickhouse-retry-deadline");

    /// <summary>Whether <paramref name="exception"/> is a ClickHouse failure that may go away if tried again.</summary>
    public static bool IsTransient(Exception exception) => exception is ClickHouseException { IsTransient: true };

    /// <summary>
    /// A pipeline that retries transient <see cref="ClickHouseException"/>s up to
    /// <see cref="ClickHouseOptions.MaxRetryAttempts"/> times, waiting
    /// <see cref="ClickHouseOptions.RetryBaseDelay"/> × 2^n (with jitter, capped at
    /// <see cref="ClickHouseOptions.RetryMaxDelay"/>), logging each retry. Everything else passes through at once.
    /// </summary>
    public static ResiliencePipeline CreatePipeline(ClickHouseOptions options, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return Create(
            new ClickHouseRetryPolicy { MaxRetryAttempts = options.MaxRetryAttempts, BaseDelay = options.RetryBaseDelay, MaxDelay = options.RetryMaxDelay },
            time ?? TimeProvider.System,
            args =>
            {
                if (logger is not null && args.Outcome.Exception is { } exception)
                {
                    LogRetry(logger, exception, args.AttemptNumber + 1, options.MaxRetryAttempts, args.RetryDelay.TotalMilliseconds);
                }

                return ValueTask.CompletedTask;
            });
    }

    /// <summary>
    /// A pipeline that retries transient <see cref="ClickHouseException"/>s as <paramref name="policy"/> says, on
    /// <paramref name="time"/>, until the context's <see cref="Deadline"/> (when set) has passed; everything else
    /// passes through at once. <paramref name="onRetry"/> runs before each wait (log, count).
    /// </summary>
    public static ResiliencePipeline Create(ClickHouseRetryPolicy policy, TimeProvider time, Func<OnRetryArguments<object>, ValueTask>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(time);
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } exception
                    && IsTransient(exception)
                    && !(args.Context.Properties.TryGetValue(Deadline, out var deadline) && time.GetUtcNow() >= deadline)),
                MaxRetryAttempts = policy.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = policy.BaseDelay,
                MaxDelay = policy.MaxDelay,
                OnRetry = onRetry,
            })
            .Build();
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Transient ClickHouse failure; retry {Attempt} of {MaxAttempts} in {DelayMs:0} ms")]
    private static partial void LogRetry(ILogger logger, Exception exception, int attempt, int maxAttempts, double delayMs);
}
