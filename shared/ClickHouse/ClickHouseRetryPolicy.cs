namespace Lambda.Shared.ClickHouse;

/// <summary>How often and how long <see cref="ClickHouseRetry.Create"/> retries transient ClickHouse failures.</summary>
public sealed record ClickHouseRetryPolicy
{
    /// <summary>Retries after the first attempt. Default: <see cref="int.MaxValue"/> (until it succeeds, is cancelled or its deadline passes).</summary>
    public int MaxRetryAttempts { get; init; } = int.MaxValue;

    /// <summary>The first wait; each next one doubles (with jitter). Default: 200 ms.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait. Default: 5 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);
}
