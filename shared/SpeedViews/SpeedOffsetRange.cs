namespace Lambda.Shared.SpeedViews;

/// <summary>
/// The flushes of one Kafka partition whose offsets lie in [<see cref="From"/>, <see cref="To"/>): rows with
/// <c>first_offset &gt;= From</c> and <c>last_offset &lt; To</c>. Flushes never straddle a bound that is a flush
/// boundary, so such ranges split a partition's deltas without splitting a flush.
/// </summary>
/// <param name="From">The first offset (inclusive).</param>
/// <param name="To">The end offset (exclusive).</param>
public readonly record struct SpeedOffsetRange(long From, long To)
{
    /// <summary>True when the range holds no offset.</summary>
    public bool IsEmpty => To <= From;
}
