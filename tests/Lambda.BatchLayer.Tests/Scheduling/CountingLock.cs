using Lambda.BatchLayer.Scheduling;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>An in-process <see cref="IRecomputeLock"/> that counts acquisitions and can refuse.</summary>
public sealed class CountingLock : IRecomputeLock
{
    public int Acquired { get; private set; }

    public int Released { get; private set; }

    public bool Refuse { get; set; }

    public Task<IAsyncDisposable> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Refuse)
        {
            throw new RecomputeLockTimeoutException("busy");
        }

        Acquired++;
        return Task.FromResult<IAsyncDisposable>(new Lease(this));
    }

    private sealed class Lease(CountingLock owner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            owner.Released++;
            return ValueTask.CompletedTask;
        }
    }
}
