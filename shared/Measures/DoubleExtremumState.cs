using Lambda.Shared.Events;

namespace Lambda.Shared.Measures;

/// <summary>
/// State of <c>min(f)</c> or <c>max(f)</c> over a double field: an optional double. Negative zero is
/// stored as zero so that the result does not depend on the order of <c>0.0</c> and <c>-0.0</c>.
/// </summary>
public sealed class DoubleExtremumState : MeasureState
{
    private readonly bool _isMax;

    /// <summary>An empty min or max over a double field.</summary>
    /// <exception cref="ArgumentException">Kind is not min/max.</exception>
    public DoubleExtremumState(MeasureKind kind)
        : base(kind, Catalog.FieldType.Double)
    {
        if (kind is not (MeasureKind.Min or MeasureKind.Max))
        {
            throw new ArgumentException($"an extremum state is min or max, not {kind}", nameof(kind));
        }

        _isMax = kind == MeasureKind.Max;
    }

    /// <summary>True once a value has been added or merged in.</summary>
    public bool HasValue { get; private set; }

    /// <summary>The current extremum; meaningless while <see cref="HasValue"/> is false.</summary>
    public double Value { get; private set; }

    /// <inheritdoc/>
    public override bool IsEmpty => !HasValue;

    private protected override StateTag Tag => _isMax ? StateTag.DoubleMax : StateTag.DoubleMin;

    /// <summary>Adds a value.</summary>
    /// <exception cref="ArgumentException">The value is NaN.</exception>
    public void Add(double value)
    {
        if (double.IsNaN(value))
        {
            throw new ArgumentException("NaN cannot be aggregated", nameof(value));
        }

        AddUnchecked(value);
    }

    /// <inheritdoc/>
    public override void Merge(MeasureState other)
    {
        var o = Compatible<DoubleExtremumState>(other);
        if (o.HasValue)
        {
            AddUnchecked(o.Value);
        }
    }

    /// <inheritdoc/>
    public override MeasureValue GetValue() => HasValue ? MeasureValue.FromDouble(Value) : MeasureValue.Null;

    /// <inheritdoc/>
    public override void Reset()
    {
        HasValue = false;
        Value = 0;
    }

    /// <inheritdoc/>
    public override MeasureState Clone() => new DoubleExtremumState(Kind) { HasValue = HasValue, Value = Value };

    internal override void Accumulate(EventRecord record, int ordinal) => AddUnchecked(BitConverter.Int64BitsToDouble(record.RawBits(ordinal)));

    private protected override int GetPayloadLength() => HasValue ? 9 : 1;

    private protected override int WritePayload(Span<byte> destination)
    {
        if (!HasValue)
        {
            destination[0] = 0;
            return 1;
        }

        destination[0] = 1;
        return 1 + VarInt.WriteDouble(destination[1..], Value);
    }

    private protected override void ReadPayload(ref StateReader reader)
    {
        switch (reader.ReadByte())
        {
            case 0:
                HasValue = false;
                break;
            case 1:
                var value = reader.ReadDouble();
                if (double.IsNaN(value))
                {
                    throw new FormatException("measure state: min/max value is NaN");
                }

                HasValue = true;
                Value = value + 0d;
                break;
            default:
                throw new FormatException("measure state: min/max has-value flag must be 0 or 1");
        }
    }

    private void AddUnchecked(double value)
    {
        // Adding +0.0 turns -0.0 into +0.0 and leaves every other value unchanged.
        value += 0d;
        if (!HasValue)
        {
            Value = value;
            HasValue = true;
        }
        else if (_isMax ? value > Value : value < Value)
        {
            Value = value;
        }
    }
}
