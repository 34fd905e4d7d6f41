using System.Globalization;
using System.Text;
using Lambda.Shared.Events;
using Lambda.Shared.Filtering;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// A compiled condition on the dimensions of one view (<see cref="DimensionFilterParser"/>): the simple form's
/// <see cref="Conditions"/> (<c>filter=</c>: per dimension, a list of accepted values) and the catalog language's
/// expression <see cref="Where"/> (<c>where=</c>); a group passes when it passes both. Stores apply it once, where it
/// prunes: the conditions are exact value lists a store can push down (into ClickHouse's WHERE), the expression is
/// evaluated per stored row as it is read.
/// </summary>
public sealed class DimensionFilter
{
    /// <summary>Creates the filter.</summary>
    /// <exception cref="ArgumentException">Two conditions on the same dimension.</exception>
    public DimensionFilter(IReadOnlyList<DimensionCondition>? conditions = null, FieldListFilter? where = null)
    {
        Conditions = conditions ?? [];
        Where = where;
        if (Conditions.Select(c => c.Index).Distinct().Count() != Conditions.Count)
        {
            throw new ArgumentException("at most one condition per dimension", nameof(conditions));
        }

        var parts = Conditions.OrderBy(c => c.Index).Select(c => c.ToString()).ToList();
        if (where is not null)
        {
            parts.Add(where.CanonicalText);
        }

        CanonicalText = string.Join(" AND ", parts);
        Key = KeyOf(Conditions, where);
    }

    /// <summary>The filter that keeps every group.</summary>
    public static DimensionFilter None { get; } = new();

    /// <summary>Per dimension, the accepted values (all conditions must hold); exact, so stores may push them down.</summary>
    public IReadOnlyList<DimensionCondition> Conditions { get; }

    /// <summary>The <c>where</c> expression over the view's dimensions, or null.</summary>
    public FieldListFilter? Where { get; }

    /// <summary>True when the filter keeps every group.</summary>
    public bool IsMatchAll => Conditions.Count == 0 && Where is null;

    /// <summary>Both parts as one readable text (conditions in dimension order, then the canonical expression).</summary>
    public string CanonicalText { get; }

    /// <summary>
    /// Identity of the filter for sharing answers: equal for filters that accept the same values per dimension in any order
    /// and the same canonical expression, and no value can forge a separator (values are length-prefixed).
    /// </summary>
    public string Key { get; }

    /// <summary>True when the dimension values (in the view's dimension order) pass every condition and the expression.</summary>
    public bool Matches(IReadOnlyList<FieldValue> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        foreach (var condition in Conditions)
        {
            if (!condition.Accepts(dimensions[condition.Index]))
            {
                return false;
            }
        }

        return Where is null || Where.Matches(dimensions);
    }

    private static string KeyOf(IReadOnlyList<DimensionCondition> conditions, FieldListFilter? where)
    {
        var key = new StringBuilder();
        foreach (var condition in conditions.OrderBy(c => c.Index))
        {
            key.Append("|f").Append(condition.Index.ToString(CultureInfo.InvariantCulture));
            foreach (var value in condition.Values.Select(v => v.ToCanonicalString()).Order(StringComparer.Ordinal))
            {
                key.Append(':').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);
            }
        }

        if (where is not null)
        {
            // The canonical expression quotes its literals, so it cannot forge the separators above.
            key.Append("|w").Append(where.CanonicalText);
        }

        return key.ToString();
    }

    /// <summary>The canonical text.</summary>
    public override string ToString() => CanonicalText;
}
