using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Measures;

/// <summary>
/// State of <c>sum(f)</c> over a double field: an IEEE-754 double sum. Addition order can change the
/// last bits (floating point is not associative); use decimal fields where sums must be exact.
/// </summary>
public sealed class DoubleSumState : MeasureState
{
    /// <summary>A zero sum.</summary>
    public DoubleSumState()
        : base(MeasureKind.Sum, Catalog.FieldType.Double)
    {
    }

    /// <summary>The sum so far.</summary>
    public double Sum { get; private set; }

    /// <inheritdoc/>
    public override bool IsEmpty => BitConverter.DoubleToInt64Bits(Sum) == 0;

    private protected override StateTag Tag => StateTag.DoubleSum;

    /// <summary>Adds a value.</summary>
    public void Add(double value) => Sum += value;

    /// <inheritdoc/>
    public override void Merge(MeasureState other) => Sum += Compatible<DoubleSumState>(other).Sum;

    /// <inheritdoc/>
    public override MeasureValue GetValue() => MeasureValue.FromDouble(Sum);

    /// <inheritdoc/>
    public override void Reset() => Sum = 0d;

    /// <inheritdoc/>
    public override MeasureState Clone() => new DoubleSumState { Sum = Sum };

    internal override void Accumulate(EventRecord record, int ordinal) => Sum += BitConverter.Int64BitsToDouble(record.RawBits(ordinal));

    private protected override int GetPayloadLength() => 8;

    private protected override int WritePayload(Span<byte> destination) => VarInt.WriteDouble(destination, Sum);

    private protected override void ReadPayload(ref StateReader reader) => Sum = reader.ReadDouble();
}
