using Polly;
using Polly.Retry;

namespace Lambda.Shared.Dataset;

/// <summary>
/// How readers of the commit log (<see cref="CommitLog.ReadCommits"/>, <see cref="MasterDatasetSnapshot.Load"/>) read
/// again when a compaction changed it under them (<see cref="CommitLogChangedException"/>): a compaction deletes the
/// records it replaced in a burst, so short waits growing linearly (5 ms, 10 ms, … at most 100 ms) find a quiet
/// moment; after <see cref="MaxAttempts"/> attempts the caller gets an <see cref="IOException"/>.
/// </summary>
public static class ConsistentRead
{
    /// <summary>Attempts in all, the first one included.</summary>
    public const int MaxAttempts = 100;

    private static readonly ResiliencePipeline Pipeline = Create(TimeProvider.System);

    /// <summary>Runs <paramref name="read"/> until it does not throw <see cref="CommitLogChangedException"/>.</summary>
    /// <exception cref="IOException">The log kept changing for <see cref="MaxAttempts"/> attempts.</exception>
    public static T Execute<T>(Func<T> read) => Execute(read, Pipeline);

    /// <summary><see cref="Execute{T}(Func{T})"/> on <paramref name="pipeline"/> (tests: one on a fake clock).</summary>
    internal static T Execute<T>(Func<T> read, ResiliencePipeline pipeline)
    {
        try
        {
            return pipeline.Execute(read);
        }
        catch (CommitLogChangedException ex)
        {
            // A plain IOException: a reader nested in another consistent read (a snapshot reads the log) must not
            // have its exhausted retries retried again by the outer one.
            throw new IOException(ex.Message, ex);
        }
    }

    /// <summary>The pipeline on <paramref name="time"/>.</summary>
    internal static ResiliencePipeline Create(TimeProvider time) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<CommitLogChangedException>(),
                MaxRetryAttempts = MaxAttempts - 1,
                BackoffType = DelayBackoffType.Linear,
                Delay = TimeSpan.FromMilliseconds(5),
                MaxDelay = TimeSpan.FromMilliseconds(100),
                UseJitter = false,
            })
            .Build();
}
