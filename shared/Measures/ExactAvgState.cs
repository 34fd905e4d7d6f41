using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Measures;

/// <summary>
/// State of <c>avg(f)</c> over a long or decimal field: an exact 128-bit unscaled sum and a count. The
/// value is null when empty; otherwise sum / count as a decimal rounded half-to-even to
/// <see cref="ResultScale"/> fractional digits for a decimal field, or as a double for a long field.
/// </summary>
public sealed class ExactAvgState : MeasureState
{
    /// <summary>Fractional digits an average keeps beyond the field's own scale.</summary>
    public const int ExtraScale = 4;

    /// <summary>An empty average over a long or decimal field.</summary>
    /// <exception cref="ArgumentException">The field type is not long or decimal.</exception>
    public ExactAvgState(FieldType fieldType)
        : base(MeasureKind.Avg, fieldType)
    {
        if (fieldType.Kind is not (FieldKind.Long or FieldKind.Decimal))
        {
            throw new ArgumentException($"an exact average needs a long or decimal field, not {fieldType}", nameof(fieldType));
        }
    }

    /// <summary>Number of values added.</summary>
    public long Count { get; private set; }

    /// <summary>Sum of the unscaled values added.</summary>
    public Int128 UnscaledSum { get; private set; }

    /// <summary>Fractional digits of a decimal average: the field's scale plus <see cref="ExtraScale"/>.</summary>
    public int ResultScale => FieldType!.Value.Scale + ExtraScale;

    /// <inheritdoc/>
    public override bool IsEmpty => Count == 0 && UnscaledSum == Int128.Zero;

    private protected override StateTag Tag => StateTag.ExactAvg;

    /// <summary>Adds one unscaled value.</summary>
    public void Add(long unscaled)
    {
        UnscaledSum = checked(UnscaledSum + unscaled);
        Count = checked(Count + 1);
    }

    /// <summary>
    /// Adds a partial aggregate given by its parts (e.g. the <c>_count</c> and <c>_sum</c> columns of a
    /// stored delta): the result is what merging a state holding them would give.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void AddAggregate(long count, Int128 unscaledSum)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        UnscaledSum = checked(UnscaledSum + unscaledSum);
        Count = checked(Count + count);
    }

    /// <inheritdoc/>
    public override void Merge(MeasureState other)
    {
        var o = Compatible<ExactAvgState>(other);
        UnscaledSum = checked(UnscaledSum + o.UnscaledSum);
        Count = checked(Count + o.Count);
    }

    /// <inheritdoc/>
    public override MeasureValue GetValue()
    {
        if (Count == 0)
        {
            return MeasureValue.Null;
        }

        var type = FieldType!.Value;
        if (type.Kind == FieldKind.Long)
        {
            return MeasureValue.FromDouble((double)UnscaledSum / Count);
        }

        var sum = DecimalScaling.FromUnscaled(UnscaledSum, type.Scale);
        return MeasureValue.FromDecimal(decimal.Round(sum / Count, ResultScale, MidpointRounding.ToEven));
    }

    /// <inheritdoc/>
    public override void Reset()
    {
        Count = 0;
        UnscaledSum = Int128.Zero;
    }

    /// <inheritdoc/>
    public override MeasureState Clone() => new ExactAvgState(FieldType!.Value) { Count = Count, UnscaledSum = UnscaledSum };

    internal override void Accumulate(EventRecord record, int ordinal)
    {
        UnscaledSum = checked(UnscaledSum + record.RawBits(ordinal));
        Count++;
    }

    private protected override int GetPayloadLength() => VarInt.Size((ulong)Count) + VarInt.Size(VarInt.ZigZag(UnscaledSum));

    private protected override int WritePayload(Span<byte> destination)
    {
        var n = VarInt.Write(destination, (ulong)Count);
        return n + VarInt.Write(destination[n..], VarInt.ZigZag(UnscaledSum));
    }

    private protected override void ReadPayload(ref StateReader reader)
    {
        var count = reader.ReadVarUInt64();
        if (count > long.MaxValue)
        {
            throw new FormatException("measure state: avg count exceeds long.MaxValue");
        }

        Count = (long)count;
        UnscaledSum = reader.ReadVarInt128();
    }
}
