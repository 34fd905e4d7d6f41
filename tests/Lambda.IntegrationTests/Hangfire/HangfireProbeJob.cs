using System.Collections.Concurrent;

namespace Lambda.IntegrationTests.Hangfire;

/// <summary>A job Hangfire can serialize and run; it records each run so a test can see it happened.</summary>
public static class HangfireProbeJob
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<DateTime>> Runs = new(StringComparer.Ordinal);

    /// <summary>Completes when the job with <paramref name="marker"/> has run (UTC time of the run).</summary>
    public static Task<DateTime> WhenRan(string marker) => Slot(marker).Task;

    /// <summary>The job body.</summary>
    public static void Run(string marker) => Slot(marker).TrySetResult(DateTime.UtcNow);

    private static TaskCompletionSource<DateTime> Slot(string marker) =>
        Runs.GetOrAdd(marker, _ => new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously));
}
