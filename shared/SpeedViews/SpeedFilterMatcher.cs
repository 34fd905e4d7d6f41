using System.Globalization;
using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;

namespace Lambda.Shared.SpeedViews;

/// <summary>
/// Validated dimension filters of one view: matches dimension values in C# and renders the conditions that can be
/// pushed into ClickHouse exactly (string, long and bool dimensions, whose literal form is exact; doubles, decimals
/// and timestamps are matched after reading, so a rounding difference never drops a row).
/// </summary>
internal sealed class SpeedFilterMatcher
{
    private readonly (int Index, HashSet<FieldValue> Values, IReadOnlyList<FieldValue> Ordered)[] _conditions;
    private readonly ViewDefinition _view;

    private SpeedFilterMatcher(ViewDefinition view, (int, HashSet<FieldValue>, IReadOnlyList<FieldValue>)[] conditions)
    {
        _view = view;
        _conditions = conditions;
    }

    /// <summary>The matcher of <paramref name="filters"/>, or null when there is no filter.</summary>
    /// <exception cref="ArgumentException">A filter names a dimension the view does not have, has no value, or a value of another type.</exception>
    public static SpeedFilterMatcher? Create(ViewDefinition view, IReadOnlyList<SpeedDimensionFilter>? filters)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (filters is null || filters.Count == 0)
        {
            return null;
        }

        var conditions = new (int, HashSet<FieldValue>, IReadOnlyList<FieldValue>)[filters.Count];
        for (var i = 0; i < filters.Count; i++)
        {
            var filter = filters[i] ?? throw new ArgumentException($"filters[{i}] is null", nameof(filters));
            if (filter.DimensionIndex < 0 || filter.DimensionIndex >= view.Dimensions.Count)
            {
                throw new ArgumentException(
                    $"filters[{i}]: view '{view.Name}' has {view.Dimensions.Count} dimensions; index {filter.DimensionIndex} does not exist", nameof(filters));
            }

            var dimension = view.Dimensions[filter.DimensionIndex];
            if (filter.Values is null || filter.Values.Count == 0)
            {
                throw new ArgumentException($"filters[{i}]: a condition on '{dimension.Name}' needs at least one value", nameof(filters));
            }

            foreach (var value in filter.Values)
            {
                if (value.Type != dimension.Type)
                {
                    throw new ArgumentException($"filters[{i}]: dimension '{dimension.Name}' is {dimension.Type}; the value '{value}' is {value.Type}", nameof(filters));
                }
            }

            conditions[i] = (filter.DimensionIndex, [.. filter.Values], filter.Values);
        }

        return new SpeedFilterMatcher(view, conditions);
    }

    /// <summary>True when the dimension values (in the view's order) pass every condition.</summary>
    public bool Matches(IReadOnlyList<FieldValue> dimensions)
    {
        foreach (var (index, values, _) in _conditions)
        {
            if (!values.Contains(dimensions[index]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Appends <c> AND `dim` IN (...)</c> for every condition whose literals are exact.</summary>
    public void AppendPushDown(StringBuilder sql)
    {
        foreach (var (index, _, ordered) in _conditions)
        {
            var dimension = _view.Dimensions[index];
            Func<FieldValue, string>? literal = dimension.Type.Kind switch
            {
                FieldKind.String => v => ClickHouseSql.QuoteString(v.AsString()),
                FieldKind.Long => v => v.AsLong().ToString(CultureInfo.InvariantCulture),
                FieldKind.Bool => v => v.AsBool() ? "1" : "0",
                _ => null,
            };
            if (literal is not null)
            {
                sql.Append(" AND ").Append(ClickHouseSql.QuoteIdentifier(dimension.Name)).Append(" IN (").AppendJoin(", ", ordered.Select(literal)).Append(')');
            }
        }
    }
}
