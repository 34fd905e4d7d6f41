using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Measures;

/// <summary>
/// State of <c>quantiles(f)</c> over a long, double or decimal field: a <see cref="DDSketch"/> (1 % relative
/// accuracy) of the values as doubles (a decimal is its unscaled value divided by 10^scale, one correctly
/// rounded division). The value is p50, p90, p95 and p99 (<see cref="QuantileValue.Defaults"/>); any other
/// quantile comes from <see cref="GetQuantiles"/>. Serialised as the sketch, so equal multisets of values
/// give equal bytes regardless of split and order, like <see cref="DistinctState"/>.
/// </summary>
public sealed class QuantilesState : MeasureState
{
    private readonly double _scale;
    private DDSketch _sketch = new();

    /// <summary>An empty quantiles state over a field of <paramref name="fieldType"/>.</summary>
    /// <exception cref="ArgumentException">The field is not long, double or decimal.</exception>
    public QuantilesState(FieldType fieldType)
        : base(MeasureKind.Quantiles, fieldType)
    {
        if (!fieldType.IsNumeric)
        {
            throw new ArgumentException($"quantiles need a long, double or decimal field, not {fieldType}", nameof(fieldType));
        }

        _scale = fieldType.Kind == FieldKind.Decimal ? DecimalScaling.Pow10(fieldType.Scale) : 1;
    }

    /// <summary>The sketch (live, not a copy).</summary>
    public DDSketch Sketch => _sketch;

    /// <inheritdoc/>
    public override bool IsEmpty => _sketch.IsEmpty;

    private protected override StateTag Tag => StateTag.Quantiles;

    /// <summary>Adds a value; its type must be the state's field type.</summary>
    /// <exception cref="ArgumentException">The value has another type.</exception>
    public void Add(FieldValue value)
    {
        if (value.Type != FieldType)
        {
            throw new ArgumentException($"a quantiles state over {FieldType} cannot take a {value.Type} value", nameof(value));
        }

        _sketch.Add(ToDouble(value.RawBits));
    }

    /// <summary>The estimates of <paramref name="quantiles"/> (each within [0, 1]); null when no value was added.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A quantile outside [0, 1].</exception>
    public MeasureValue GetQuantiles(IReadOnlyList<double> quantiles)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        if (_sketch.IsEmpty)
        {
            return MeasureValue.Null;
        }

        return MeasureValue.FromQuantiles(quantiles.Select(q => new QuantileValue(q, _sketch.GetQuantile(q)!.Value)));
    }

    /// <inheritdoc/>
    public override void Merge(MeasureState other) => _sketch.Merge(Compatible<QuantilesState>(other)._sketch);

    /// <inheritdoc/>
    public override MeasureValue GetValue() => GetQuantiles(QuantileValue.Defaults);

    /// <inheritdoc/>
    public override bool IsCostlyToFinalise => true;

    /// <inheritdoc/>
    public override void Reset() => _sketch.Clear();

    /// <inheritdoc/>
    public override MeasureState Clone() => new QuantilesState(FieldType!.Value) { _sketch = _sketch.Clone() };

    internal override void Accumulate(EventRecord record, int ordinal) => _sketch.Add(ToDouble(record.RawBits(ordinal)));

    private protected override int GetPayloadLength() => _sketch.GetSerializedLength();

    private protected override int WritePayload(Span<byte> destination) => _sketch.Write(destination);

    private protected override void ReadPayload(ref StateReader reader) => _sketch = DDSketch.Read(ref reader);

    private double ToDouble(long raw) => FieldType!.Value.Kind switch
    {
        FieldKind.Double => BitConverter.Int64BitsToDouble(raw),
        FieldKind.Decimal => raw / _scale,
        _ => raw,
    };
}
