namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Mutual exclusion of recomputes across every process on the same PostgreSQL (Hangfire workers of
/// all instances and command-line runs), so two recomputes never publish or load at once.
/// </summary>
public interface IRecomputeLock
{
    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the lock; the returned lease holds it until disposed.
    /// </summary>
    /// <exception cref="RecomputeLockTimeoutException">Another recompute held the lock for the whole wait.</exception>
    Task<IAsyncDisposable> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
