using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.ServingLayer.Querying;

/// <summary>A filter condition on one dimension of a view: its value must be one of <see cref="Values"/>.</summary>
public sealed class DimensionCondition
{
    private readonly HashSet<FieldValue> _values;

    /// <summary>Creates the condition.</summary>
    /// <param name="dimension">The dimension (a field of the view's source that is one of the view's dimensions).</param>
    /// <param name="index">The dimension's position in the view's dimension list.</param>
    /// <param name="values">The accepted values, each of the dimension's type; at least one.</param>
    /// <exception cref="ArgumentException">No value, or a value of another type.</exception>
    public DimensionCondition(FieldDefinition dimension, int index, IEnumerable<FieldValue> values)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Dimension = dimension;
        Index = index;
        _values = [];
        var ordered = new List<FieldValue>();
        foreach (var value in values)
        {
            if (value.Type != dimension.Type)
            {
                throw new ArgumentException($"dimension '{dimension.Name}' is {dimension.Type}; the value '{value}' is {value.Type}", nameof(values));
            }

            if (_values.Add(value))
            {
                ordered.Add(value);
            }
        }

        if (ordered.Count == 0)
        {
            throw new ArgumentException($"a condition on '{dimension.Name}' needs at least one value", nameof(values));
        }

        Values = ordered;
    }

    /// <summary>The dimension.</summary>
    public FieldDefinition Dimension { get; }

    /// <summary>The dimension's position in the view's dimension list.</summary>
    public int Index { get; }

    /// <summary>The accepted values (distinct, in the order given).</summary>
    public IReadOnlyList<FieldValue> Values { get; }

    /// <summary>True when <paramref name="value"/> is one of the accepted values.</summary>
    public bool Accepts(FieldValue value) => _values.Contains(value);

    /// <summary><c>name IN (v1, v2)</c>, for logs.</summary>
    public override string ToString() => $"{Dimension.Name} IN ({string.Join(", ", Values.Select(v => v.ToCanonicalString()))})";
}
