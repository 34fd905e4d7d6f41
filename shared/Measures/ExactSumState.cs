using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Measures;

/// <summary>
/// State of <c>sum(f)</c> over a long or decimal field: an exact 128-bit integer sum of the values'
/// unscaled integers (the value times 10^scale for decimals). Additions are overflow-checked; with
/// 18-digit inputs a 128-bit sum cannot overflow before 10^20 events. The final value is a long for a
/// long field (overflow-checked) and a decimal with the field's scale for a decimal field.
/// </summary>
public sealed class ExactSumState : MeasureState
{
    /// <summary>A zero sum over a long or decimal field.</summary>
    /// <exception cref="ArgumentException">The field type is not long or decimal.</exception>
    public ExactSumState(FieldType fieldType)
        : base(MeasureKind.Sum, fieldType)
    {
        if (fieldType.Kind is not (FieldKind.Long or FieldKind.Decimal))
        {
            throw new ArgumentException($"an exact sum needs a long or decimal field, not {fieldType}", nameof(fieldType));
        }

        Scale = fieldType.Scale;
    }

    /// <summary>The sum of unscaled values so far.</summary>
    public Int128 UnscaledSum { get; private set; }

    /// <summary>The decimal scale (0 for long).</summary>
    public int Scale { get; }

    /// <inheritdoc/>
    public override bool IsEmpty => UnscaledSum == Int128.Zero;

    private protected override StateTag Tag => StateTag.ExactSum;

    /// <summary>Adds one unscaled value (a long field's value, or a decimal's value times 10^scale).</summary>
    public void Add(long unscaled) => UnscaledSum = checked(UnscaledSum + unscaled);

    /// <inheritdoc/>
    public override void Merge(MeasureState other) =>
        UnscaledSum = checked(UnscaledSum + Compatible<ExactSumState>(other).UnscaledSum);

    /// <inheritdoc/>
    public override MeasureValue GetValue() => FieldType!.Value.Kind == FieldKind.Long
        ? MeasureValue.FromLong(checked((long)UnscaledSum))
        : MeasureValue.FromDecimal(DecimalScaling.FromUnscaled(UnscaledSum, Scale));

    /// <inheritdoc/>
    public override void Reset() => UnscaledSum = Int128.Zero;

    /// <inheritdoc/>
    public override MeasureState Clone() => new ExactSumState(FieldType!.Value) { UnscaledSum = UnscaledSum };

    internal override void Accumulate(EventRecord record, int ordinal) =>
        UnscaledSum = checked(UnscaledSum + record.RawBits(ordinal));

    private protected override int GetPayloadLength() => VarInt.Size(VarInt.ZigZag(UnscaledSum));

    private protected override int WritePayload(Span<byte> destination) => VarInt.Write(destination, VarInt.ZigZag(UnscaledSum));

    private protected override void ReadPayload(ref StateReader reader) => UnscaledSum = reader.ReadVarInt128();
}
