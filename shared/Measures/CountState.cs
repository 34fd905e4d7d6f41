using Lambda.Shared.Events;

namespace Lambda.Shared.Measures;

/// <summary>State of <c>count</c>: the number of events (exact).</summary>
public sealed class CountState : MeasureState
{
    /// <summary>A zero count.</summary>
    public CountState()
        : base(MeasureKind.Count, null)
    {
    }

    /// <summary>The count so far.</summary>
    public long Count { get; private set; }

    /// <inheritdoc/>
    public override bool IsEmpty => Count == 0;

    private protected override StateTag Tag => StateTag.Count;

    /// <summary>Counts <paramref name="events"/> more events.</summary>
    /// <exception cref="OverflowException">The count would exceed <see cref="long.MaxValue"/>.</exception>
    public void Add(long events = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(events);
        Count = checked(Count + events);
    }

    /// <inheritdoc/>
    public override void Merge(MeasureState other) => Count = checked(Count + Compatible<CountState>(other).Count);

    /// <inheritdoc/>
    public override MeasureValue GetValue() => MeasureValue.FromLong(Count);

    /// <inheritdoc/>
    public override void Reset() => Count = 0;

    /// <inheritdoc/>
    public override MeasureState Clone() => new CountState { Count = Count };

    internal override void Accumulate(EventRecord record, int ordinal) => Count++;

    private protected override int GetPayloadLength() => VarInt.Size((ulong)Count);

    private protected override int WritePayload(Span<byte> destination) => VarInt.Write(destination, (ulong)Count);

    private protected override void ReadPayload(ref StateReader reader)
    {
        var value = reader.ReadVarUInt64();
        if (value > long.MaxValue)
        {
            throw new FormatException("measure state: count exceeds long.MaxValue");
        }

        Count = (long)value;
    }
}
