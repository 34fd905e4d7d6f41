using System.Buffers;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Measures;

/// <summary>
/// The mutable state of one measure for one group: a commutative monoid element. A new state is the
/// zero; events are added one by one; two states merge associatively and commutatively, so partial
/// aggregates computed anywhere (speed layer, batch layer, any split of the events, any order) merge to
/// the same result. The exact kinds (count, long/decimal sums, min, max, avg of long/decimal, distinct, quantiles)
/// give identical bytes for identical event multisets; double sums are subject to floating-point
/// rounding order.
/// </summary>
/// <remarks>The serialised form, the same in every layer (<see cref="FormatVersion"/> first), and why states are not thread-safe: see docs/design-notes.md#measure-state-format.</remarks>
public abstract class MeasureState
{
    /// <summary>The serialisation format version written as the first byte of every state.</summary>
    public const byte FormatVersion = 1;

    private protected MeasureState(MeasureKind kind, FieldType? fieldType)
    {
        Kind = kind;
        FieldType = fieldType;
    }

    /// <summary>The aggregation this state belongs to.</summary>
    public MeasureKind Kind { get; }

    /// <summary>The type of the aggregated field; null for count.</summary>
    public FieldType? FieldType { get; }

    /// <summary>True when the state equals the zero (no event added, nothing merged in that changed it).</summary>
    public abstract bool IsEmpty { get; }

    /// <summary>The kind of <see cref="GetValue"/>'s result for this state.</summary>
    public MeasureValueKind ResultKind() => ResultKind(Kind, FieldType);

    private protected abstract StateTag Tag { get; }

    /// <summary>
    /// The kind of final value a measure produces: count and distinct give long; sum/min/max give the
    /// field's own kind (timestamp for min/max of a timestamp); avg gives decimal for a decimal field and
    /// double otherwise; quantiles give <see cref="MeasureValueKind.Quantiles"/> (doubles).
    /// </summary>
    public static MeasureValueKind ResultKind(MeasureKind kind, FieldType? fieldType) => kind switch
    {
        MeasureKind.Count or MeasureKind.Distinct => MeasureValueKind.Long,
        MeasureKind.Quantiles => MeasureValueKind.Quantiles,
        MeasureKind.Avg => fieldType?.Kind == FieldKind.Decimal ? MeasureValueKind.Decimal : MeasureValueKind.Double,
        _ => fieldType?.Kind switch
        {
            FieldKind.Long => MeasureValueKind.Long,
            FieldKind.Double => MeasureValueKind.Double,
            FieldKind.Decimal => MeasureValueKind.Decimal,
            FieldKind.Timestamp => MeasureValueKind.Timestamp,
            _ => MeasureValueKind.Null,
        },
    };

    /// <summary>
    /// Whether <paramref name="kind"/> can aggregate a field of <paramref name="fieldType"/>: count takes
    /// no field; sum, avg and quantiles need long, double or decimal; min and max also accept timestamp; distinct
    /// accepts every type.
    /// </summary>
    /// <param name="kind">The aggregation.</param>
    /// <param name="fieldType">The field's type, null for none.</param>
    /// <param name="error">Why not, when it returns false.</param>
    public static bool Supports(MeasureKind kind, FieldType? fieldType, out string? error)
    {
        error = (kind, fieldType) switch
        {
            (MeasureKind.Count, null) => null,
            (MeasureKind.Count, _) => "count takes no field",
            (_, null) => $"{kind.ToName()} needs a field, e.g. {kind.ToName()}(amount)",
            (MeasureKind.Sum or MeasureKind.Avg or MeasureKind.Quantiles, { IsNumeric: false }) =>
                $"{kind.ToName()} needs a long, double or decimal field, not {fieldType}",
            (MeasureKind.Min or MeasureKind.Max, { IsNumeric: false, Kind: not FieldKind.Timestamp }) =>
                $"{kind.ToName()} needs a long, double, decimal or timestamp field, not {fieldType}",
            _ => null,
        };
        return error is null;
    }

    /// <summary>A zero state for <paramref name="kind"/> over a field of <paramref name="fieldType"/>.</summary>
    /// <exception cref="ArgumentException">The combination is not supported (<see cref="Supports"/>).</exception>
    public static MeasureState Create(MeasureKind kind, FieldType? fieldType)
    {
        if (!Supports(kind, fieldType, out var error))
        {
            throw new ArgumentException(error, nameof(fieldType));
        }

        var type = fieldType.GetValueOrDefault();
        var isDouble = type.Kind == FieldKind.Double;
        return kind switch
        {
            MeasureKind.Count => new CountState(),
            MeasureKind.Sum => isDouble ? new DoubleSumState() : new ExactSumState(type),
            MeasureKind.Min => isDouble ? new DoubleExtremumState(MeasureKind.Min) : new ExactExtremumState(MeasureKind.Min, type),
            MeasureKind.Max => isDouble ? new DoubleExtremumState(MeasureKind.Max) : new ExactExtremumState(MeasureKind.Max, type),
            MeasureKind.Avg => isDouble ? new DoubleAvgState() : new ExactAvgState(type),
            MeasureKind.Distinct => new DistinctState(type),
            MeasureKind.Quantiles => new QuantilesState(type),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown measure kind."),
        };
    }

    /// <summary>Reads a state written by <see cref="ToBytes"/>/<see cref="WriteTo(Span{byte})"/>.</summary>
    /// <param name="bytes">Exactly one serialised state.</param>
    /// <param name="kind">The measure's aggregation.</param>
    /// <param name="fieldType">The measure's field type (null for count).</param>
    /// <exception cref="FormatException">Unknown version, a state of another measure kind, truncated or trailing bytes, invalid content.</exception>
    public static MeasureState Read(ReadOnlySpan<byte> bytes, MeasureKind kind, FieldType? fieldType)
    {
        var state = Create(kind, fieldType);
        var reader = new StateReader(bytes);
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw new FormatException($"measure state: unsupported format version {version} (this build reads {FormatVersion})");
        }

        var tag = reader.ReadByte();
        if (tag != (byte)state.Tag)
        {
            throw new FormatException(
                $"measure state: layout tag {tag} is not a {kind.ToName()} state over {fieldType?.ToString() ?? "no field"} (expected {(byte)state.Tag})");
        }

        state.ReadPayload(ref reader);
        reader.EnsureEnd();
        return state;
    }

    /// <summary>Merges <paramref name="other"/> into this state (monoid plus). <paramref name="other"/> is not changed.</summary>
    /// <exception cref="ArgumentException"><paramref name="other"/> is a state of another kind or field type.</exception>
    public abstract void Merge(MeasureState other);

    /// <summary>
    /// True when <see cref="GetValue"/> walks a large structure (a dense sketch): a reader that finalises the same state
    /// more than once keeps the value rather than computing it again. False by default.
    /// </summary>
    public virtual bool IsCostlyToFinalise => false;

    /// <summary>The final value (what the API returns).</summary>
    /// <exception cref="OverflowException">An exact sum exceeds what the value type can represent.</exception>
    public abstract MeasureValue GetValue();

    /// <summary>Resets to the zero state.</summary>
    public abstract void Reset();

    /// <summary>An independent copy.</summary>
    public abstract MeasureState Clone();

    /// <summary>The exact number of bytes <see cref="WriteTo(Span{byte})"/> writes.</summary>
    public int GetSerializedLength() => 2 + GetPayloadLength();

    /// <summary>Writes the serialised state; returns the number of bytes written.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than <see cref="GetSerializedLength"/>.</exception>
    public int WriteTo(Span<byte> destination)
    {
        var length = GetSerializedLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination holds {destination.Length} bytes; the state needs {length}", nameof(destination));
        }

        destination[0] = FormatVersion;
        destination[1] = (byte)Tag;
        var written = 2 + WritePayload(destination[2..]);
        return written;
    }

    /// <summary>Appends the serialised state to <paramref name="writer"/>.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = GetSerializedLength();
        var written = WriteTo(writer.GetSpan(length));
        writer.Advance(written);
    }

    /// <summary>The serialised state as a new array.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[GetSerializedLength()];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>True when <paramref name="other"/> is the same kind over the same field type and serialises to the same bytes.</summary>
    public bool ContentEquals(MeasureState? other)
    {
        if (other is null || other.Kind != Kind || other.FieldType != FieldType || other.Tag != Tag)
        {
            return false;
        }

        return ToBytes().AsSpan().SequenceEqual(other.ToBytes());
    }

    /// <summary><c>kind: value</c>.</summary>
    public override string ToString() => $"{Kind.ToName()}: {GetValue()}";

    /// <summary>Adds the value of field <paramref name="ordinal"/> of <paramref name="record"/> (count ignores the field).</summary>
    internal abstract void Accumulate(EventRecord record, int ordinal);

    private protected abstract int GetPayloadLength();

    private protected abstract int WritePayload(Span<byte> destination);

    private protected abstract void ReadPayload(ref StateReader reader);

    private protected T Compatible<T>(MeasureState other)
        where T : MeasureState
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other is not T typed || other.Kind != Kind || other.FieldType != FieldType)
        {
            throw new ArgumentException(
                $"cannot merge a {other.Kind.ToName()} state over {other.FieldType?.ToString() ?? "no field"} into a {Kind.ToName()} state over {FieldType?.ToString() ?? "no field"}",
                nameof(other));
        }

        return typed;
    }
}
