namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>A clock that stays where a test sets it.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
