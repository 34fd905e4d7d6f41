namespace Lambda.Shared.Events;

/// <summary>Limits applied by <see cref="EventParser"/>.</summary>
public sealed record EventParserOptions
{
    /// <summary>The default options.</summary>
    public static EventParserOptions Default { get; } = new();

    /// <summary>Largest accepted message, in bytes. Default 65,536 (64 KiB).</summary>
    public int MaxEventBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Earliest accepted event time (inclusive). Default 2000-01-01T00:00:00Z: anything earlier is taken
    /// to be a unit mistake (epoch seconds sent as milliseconds land in January 1970) or garbage.
    /// </summary>
    public DateTimeOffset MinEventTime { get; init; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Latest accepted event time (exclusive). Default 2100-01-01T00:00:00Z.</summary>
    public DateTimeOffset MaxEventTime { get; init; } = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A limit is not positive or the time window is empty.</exception>
    public void Validate()
    {
        if (MaxEventBytes <= 0)
        {
            throw new ArgumentException($"{nameof(MaxEventBytes)} must be positive, got {MaxEventBytes}", nameof(MaxEventBytes));
        }

        if (MaxEventTime <= MinEventTime)
        {
            throw new ArgumentException($"{nameof(MaxEventTime)} ({MaxEventTime:O}) must be after {nameof(MinEventTime)} ({MinEventTime:O})", nameof(MaxEventTime));
        }
    }
}
