using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Measures;

/// <summary>
/// State of <c>min(f)</c> or <c>max(f)</c> over a long, decimal (unscaled) or timestamp (epoch ms)
/// field: an optional 64-bit integer. Empty until the first value.
/// </summary>
public sealed class ExactExtremumState : MeasureState
{
    private readonly bool _isMax;

    /// <summary>An empty min or max over a long, decimal or timestamp field.</summary>
    /// <exception cref="ArgumentException">Kind is not min/max, or the field type is not long, decimal or timestamp.</exception>
    public ExactExtremumState(MeasureKind kind, FieldType fieldType)
        : base(kind, fieldType)
    {
        if (kind is not (MeasureKind.Min or MeasureKind.Max))
        {
            throw new ArgumentException($"an extremum state is min or max, not {kind}", nameof(kind));
        }

        if (!fieldType.IsExactInteger)
        {
            throw new ArgumentException($"an exact {kind.ToName()} needs a long, decimal or timestamp field, not {fieldType}", nameof(fieldType));
        }

        _isMax = kind == MeasureKind.Max;
    }

    /// <summary>True once a value has been added or merged in.</summary>
    public bool HasValue { get; private set; }

    /// <summary>The current extremum as a raw integer (unscaled decimal, epoch ms); meaningless while <see cref="HasValue"/> is false.</summary>
    public long RawValue { get; private set; }

    /// <inheritdoc/>
    public override bool IsEmpty => !HasValue;

    private protected override StateTag Tag => _isMax ? StateTag.ExactMax : StateTag.ExactMin;

    /// <summary>Adds a raw value (a long, an unscaled decimal, or epoch ms).</summary>
    public void Add(long raw)
    {
        if (!HasValue)
        {
            RawValue = raw;
            HasValue = true;
        }
        else if (_isMax ? raw > RawValue : raw < RawValue)
        {
            RawValue = raw;
        }
    }

    /// <inheritdoc/>
    public override void Merge(MeasureState other)
    {
        var o = Compatible<ExactExtremumState>(other);
        if (o.HasValue)
        {
            Add(o.RawValue);
        }
    }

    /// <inheritdoc/>
    public override MeasureValue GetValue()
    {
        if (!HasValue)
        {
            return MeasureValue.Null;
        }

        var type = FieldType!.Value;
        return type.Kind switch
        {
            FieldKind.Decimal => MeasureValue.FromDecimal(DecimalScaling.FromUnscaled(RawValue, type.Scale)),
            FieldKind.Timestamp => MeasureValue.FromTimestamp(RawValue),
            _ => MeasureValue.FromLong(RawValue),
        };
    }

    /// <inheritdoc/>
    public override void Reset()
    {
        HasValue = false;
        RawValue = 0;
    }

    /// <inheritdoc/>
    public override MeasureState Clone() => new ExactExtremumState(Kind, FieldType!.Value) { HasValue = HasValue, RawValue = RawValue };

    internal override void Accumulate(EventRecord record, int ordinal) => Add(record.RawBits(ordinal));

    private protected override int GetPayloadLength() => HasValue ? 1 + VarInt.Size(VarInt.ZigZag(RawValue)) : 1;

    private protected override int WritePayload(Span<byte> destination)
    {
        if (!HasValue)
        {
            destination[0] = 0;
            return 1;
        }

        destination[0] = 1;
        return 1 + VarInt.Write(destination[1..], VarInt.ZigZag(RawValue));
    }

    private protected override void ReadPayload(ref StateReader reader)
    {
        switch (reader.ReadByte())
        {
            case 0:
                HasValue = false;
                break;
            case 1:
                HasValue = true;
                RawValue = reader.ReadVarInt64();
                break;
            default:
                throw new FormatException("measure state: min/max has-value flag must be 0 or 1");
        }
    }
}
