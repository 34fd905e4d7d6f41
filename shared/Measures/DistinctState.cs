using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Measures;

/// <summary>
/// State of <c>distinct(f)</c>: a <see cref="HyperLogLog"/> over the field's canonical values. The value
/// is the rounded estimate (a long). Serialised as the sketch (see <see cref="HyperLogLog"/>), so equal
/// sets of values give equal bytes regardless of order.
/// </summary>
public sealed class DistinctState : MeasureState
{
    private HyperLogLog _sketch = new();

    /// <summary>An empty distinct count over a field of <paramref name="fieldType"/>.</summary>
    public DistinctState(FieldType fieldType)
        : base(MeasureKind.Distinct, fieldType)
    {
    }

    /// <summary>The sketch (live, not a copy).</summary>
    public HyperLogLog Sketch => _sketch;

    /// <inheritdoc/>
    public override bool IsEmpty => _sketch.IsEmpty;

    private protected override StateTag Tag => StateTag.Distinct;

    /// <summary>Adds a value; its type must be the state's field type.</summary>
    /// <exception cref="ArgumentException">The value has another type.</exception>
    public void Add(FieldValue value)
    {
        if (value.Type != FieldType)
        {
            throw new ArgumentException($"a distinct state over {FieldType} cannot take a {value.Type} value", nameof(value));
        }

        Span<byte> buffer = stackalloc byte[CanonicalText.MaxNonStringLength];
        _sketch.Add(value.Type.Kind == FieldKind.String
            ? System.Text.Encoding.UTF8.GetBytes(value.AsString())
            : buffer[..CanonicalText.Write(value.Type, value.RawBits, buffer)]);
    }

    /// <summary>Adds a value given as its canonical UTF-8 bytes (see <see cref="HyperLogLog"/>).</summary>
    public void AddCanonicalUtf8(ReadOnlySpan<byte> canonicalUtf8) => _sketch.Add(canonicalUtf8);

    /// <inheritdoc/>
    public override void Merge(MeasureState other) => _sketch.Merge(Compatible<DistinctState>(other)._sketch);

    /// <inheritdoc/>
    public override MeasureValue GetValue() => MeasureValue.FromLong(_sketch.Estimate());

    /// <inheritdoc/>
    public override bool IsCostlyToFinalise => _sketch.IsDense;

    /// <inheritdoc/>
    public override void Reset() => _sketch.Clear();

    /// <inheritdoc/>
    public override MeasureState Clone() => new DistinctState(FieldType!.Value) { _sketch = _sketch.Clone() };

    internal override void Accumulate(EventRecord record, int ordinal)
    {
        var type = FieldType!.Value;
        if (type.Kind == FieldKind.String)
        {
            _sketch.Add(record.RawUtf8(ordinal));
            return;
        }

        Span<byte> buffer = stackalloc byte[CanonicalText.MaxNonStringLength];
        _sketch.Add(buffer[..CanonicalText.Write(type, record.RawBits(ordinal), buffer)]);
    }

    private protected override int GetPayloadLength() => _sketch.GetSerializedLength();

    private protected override int WritePayload(Span<byte> destination) => _sketch.Write(destination);

    private protected override void ReadPayload(ref StateReader reader) => _sketch = HyperLogLog.Read(ref reader);
}
