using System.Threading.RateLimiting;

namespace Lambda.ServingLayer.Limits;

/// <summary>
/// One API key's budget of merge work (<see cref="QueryLimitsOptions.GroupsPerSecond"/>, up to
/// <see cref="QueryLimitsOptions.GroupsBurst"/> saved up). A query is admitted while the balance is positive and its
/// computation is charged afterwards (<see cref="Charge"/>), when its cost is known: one query may take the balance
/// below zero, and the key's next queries are refused, before any work, until the debt is repaid.
/// </summary>
/// <remarks>
/// Charged after the fact because a query's cost (groups read from the batch view and the speed tables) is only known
/// once it ran; a filter or a group-by makes any estimate from the range alone wrong by orders of magnitude. The state
/// outlives the partitioned limiter that chains it (which drops idle partitions), so nothing here is disposed.
/// </remarks>
internal sealed class QueryWorkLimiter : RateLimiter
{
    /// <summary>The reason phrase of a refusal, which tells it apart from the other limits' refusals.</summary>
    public const string Reason = "work";

    private static readonly RateLimitLease Admitted = new WorkLease(null);

    private readonly Lock _lock = new();
    private readonly double _groupsPerSecond;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private double _balance;
    private long _updatedAt;

    /// <summary>A budget refilled with <paramref name="groupsPerSecond"/> up to <paramref name="burst"/>, starting full.</summary>
    public QueryWorkLimiter(double groupsPerSecond, double burst, TimeProvider time)
    {
        _groupsPerSecond = groupsPerSecond;
        _burst = burst;
        _time = time;
        _balance = burst;
        _updatedAt = time.GetTimestamp();
    }

    /// <inheritdoc/>
    public override TimeSpan? IdleDuration => null;

    /// <summary>Takes <paramref name="groups"/> merged by a computation the key started off its balance.</summary>
    public void Charge(long groups)
    {
        lock (_lock)
        {
            Refill();
            _balance -= groups;
        }
    }

    /// <inheritdoc/>
    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Refill();
            return new RateLimiterStatistics { CurrentAvailablePermits = (long)Math.Max(0, _balance) };
        }
    }

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_lock)
        {
            Refill();
            return _balance > 0 ? Admitted : new WorkLease(TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(-_balance / _groupsPerSecond))));
        }
    }

    /// <inheritdoc/>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Refill()
    {
        var now = _time.GetTimestamp();
        _balance = Math.Min(_burst, _balance + (_time.GetElapsedTime(_updatedAt, now).TotalSeconds * _groupsPerSecond));
        _updatedAt = now;
    }

    /// <summary>Admitted (no metadata) or refused with the time the debt takes to repay.</summary>
    private sealed class WorkLease(TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => retryAfter is null;

        public override IEnumerable<string> MetadataNames =>
            retryAfter is null ? [] : [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter is not { } wait ? null
                : metadataName == MetadataName.RetryAfter.Name ? wait
                : metadataName == MetadataName.ReasonPhrase.Name ? Reason
                : null;
            return metadata is not null;
        }
    }
}
