using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// Retry of transient ClickHouse failures with exponential backoff and jitter (Polly). The client
/// applies it to idempotent calls by itself; callers that decide a call is safe to repeat (for
/// example an insert whose rows carry the offsets that make a duplicate detectable) can wrap
/// their own sequence in <see cref="CreatePipeline"/>.
/// </summary>
public static partial class ClickHouseRetry
{
    /// <summary>Whether <paramref name="exception"/> is a ClickHouse failure that may go away if tried again.</summary>
    public static bool IsTransient(Exception exception) => exception is ClickHouseException { IsTransient: true };

    /// <summary>
    /// A pipeline that retries transient <see cref="ClickHouseException"/>s up to
    /// <see cref="ClickHouseOptions.MaxRetryAttempts"/> times, waiting
    /// <see cref="ClickHouseOptions.RetryBaseDelay"/> × 2^n (with jitter, capped at
    /// <see cref="ClickHouseOptions.RetryMaxDelay"/>). Everything else passes through at once.
    /// </summary>
    public static ResiliencePipeline CreatePipeline(ClickHouseOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<ClickHouseException>(ex => ex.IsTransient),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = args =>
                {
                    if (logger is not null && args.Outcome.Exception is { } exception)
                    {
                        LogRetry(logger, exception, args.AttemptNumber + 1, options.MaxRetryAttempts, args.RetryDelay.TotalMilliseconds);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Transient ClickHouse failure; retry {Attempt} of {MaxAttempts} in {DelayMs:0} ms")]
    private static partial void LogRetry(ILogger logger, Exception exception, int attempt, int maxAttempts, double delayMs);
}
