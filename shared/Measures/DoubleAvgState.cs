using Lambda.Shared.Events;

namespace Lambda.Shared.Measures;

/// <summary>State of <c>avg(f)</c> over a double field: a double sum and an exact count; the value is sum / count (null when empty).</summary>
public sealed class DoubleAvgState : MeasureState
{
    /// <summary>An empty average.</summary>
    public DoubleAvgState()
        : base(MeasureKind.Avg, Catalog.FieldType.Double)
    {
    }

    /// <summary>Number of values added.</summary>
    public long Count { get; private set; }

    /// <summary>Sum of the values added.</summary>
    public double Sum { get; private set; }

    /// <inheritdoc/>
    public override bool IsEmpty => Count == 0 && BitConverter.DoubleToInt64Bits(Sum) == 0;

    private protected override StateTag Tag => StateTag.DoubleAvg;

    /// <summary>Adds a value.</summary>
    public void Add(double value)
    {
        Sum += value;
        Count = checked(Count + 1);
    }

    /// <summary>
    /// Adds a partial aggregate given by its parts (e.g. the <c>_count</c> and <c>_sum</c> columns of a
    /// stored delta): the result is what merging a state holding them would give.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void AddAggregate(long count, double sum)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Sum += sum;
        Count = checked(Count + count);
    }

    /// <inheritdoc/>
    public override void Merge(MeasureState other)
    {
        var o = Compatible<DoubleAvgState>(other);
        Sum += o.Sum;
        Count = checked(Count + o.Count);
    }

    /// <inheritdoc/>
    public override MeasureValue GetValue() => Count == 0 ? MeasureValue.Null : MeasureValue.FromDouble(Sum / Count);

    /// <inheritdoc/>
    public override void Reset()
    {
        Count = 0;
        Sum = 0d;
    }

    /// <inheritdoc/>
    public override MeasureState Clone() => new DoubleAvgState { Count = Count, Sum = Sum };

    internal override void Accumulate(EventRecord record, int ordinal)
    {
        Sum += BitConverter.Int64BitsToDouble(record.RawBits(ordinal));
        Count++;
    }

    private protected override int GetPayloadLength() => VarInt.Size((ulong)Count) + 8;

    private protected override int WritePayload(Span<byte> destination)
    {
        var n = VarInt.Write(destination, (ulong)Count);
        return n + VarInt.WriteDouble(destination[n..], Sum);
    }

    private protected override void ReadPayload(ref StateReader reader)
    {
        var count = reader.ReadVarUInt64();
        if (count > long.MaxValue)
        {
            throw new FormatException("measure state: avg count exceeds long.MaxValue");
        }

        Count = (long)count;
        Sum = reader.ReadDouble();
    }
}
