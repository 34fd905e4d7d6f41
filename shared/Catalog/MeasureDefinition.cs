using Lambda.Shared.Measures;

namespace Lambda.Shared.Catalog;

/// <summary>
/// A named measure of a view: a monoid (<see cref="Kind"/>) applied to a field of the view's source
/// (none for <see cref="MeasureKind.Count"/>).
/// </summary>
public sealed class MeasureDefinition
{
    internal MeasureDefinition(string name, int index, MeasureKind kind, FieldDefinition? field)
    {
        Name = name;
        Index = index;
        Kind = kind;
        Field = field;
    }

    /// <summary>The measure name (a safe identifier; a column name downstream and a key in API rows).</summary>
    public string Name { get; }

    /// <summary>Position among the view's measures (declaration order).</summary>
    public int Index { get; }

    /// <summary>The aggregation.</summary>
    public MeasureKind Kind { get; }

    /// <summary>The aggregated field; null for <see cref="MeasureKind.Count"/>.</summary>
    public FieldDefinition? Field { get; }

    /// <summary>The type of the aggregated field; null for <see cref="MeasureKind.Count"/>.</summary>
    public FieldType? FieldType => Field?.Type;

    /// <summary>The canonical expression, e.g. <c>count</c> or <c>sum(amount)</c>.</summary>
    public string Expression => Field is null ? Kind.ToName() : $"{Kind.ToName()}({Field.Name})";

    /// <summary>The kind of the final value (<see cref="MeasureState.GetValue"/>): see <see cref="MeasureState.ResultKind(MeasureKind, Catalog.FieldType?)"/>.</summary>
    public MeasureValueKind ResultKind => MeasureState.ResultKind(Kind, FieldType);

    /// <summary>A new zero (empty) state for this measure.</summary>
    public MeasureState CreateState() => MeasureState.Create(Kind, FieldType);

    /// <summary>Reads a state written by <see cref="MeasureState.ToBytes"/> for this measure.</summary>
    /// <exception cref="FormatException">The bytes are not a state of this measure's kind and type.</exception>
    public MeasureState ReadState(ReadOnlySpan<byte> bytes) => MeasureState.Read(bytes, Kind, FieldType);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Expression}";
}
