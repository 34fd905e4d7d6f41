using System.Diagnostics.CodeAnalysis;
using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Filtering;
using Microsoft.Extensions.Primitives;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// The one place a dimension filter is read, for the query API and alert rules alike: the simple form
/// (<c>filter=country:US,country:DE</c>) and the catalog's <c>where</c> language over the view's dimensions
/// (<c>where=country IN ('US','DE') AND device != 'bot'</c>), both into one <see cref="DimensionFilter"/>.
/// </summary>
/// <remarks>
/// Simple form: comma-separated <c>dim:value</c> items (several texts may be given, e.g. a repeated parameter); values
/// of one dimension are alternatives, different dimensions must all match; <c>\,</c> and <c>\\</c> escape a comma and
/// a backslash in a value. The <c>where</c> language is the catalog's (<see cref="Filter"/>), compiled over the
/// view's dimensions only (<see cref="FieldListFilter"/>).
/// </remarks>
public static class DimensionFilterParser
{
    /// <summary>The simple form's parameter (and alert rule key) name.</summary>
    public const string FilterParameter = "filter";

    /// <summary>The expression's parameter (and alert rule key) name.</summary>
    public const string WhereParameter = "where";

    /// <summary>Reads the simple form <paramref name="filter"/> and the expression <paramref name="where"/> of <paramref name="view"/>.</summary>
    /// <returns>True with <paramref name="result"/> set (<see cref="DimensionFilter.None"/> when both are absent), or false with <paramref name="error"/> set.</returns>
    public static bool TryParse(
        ViewDefinition view,
        StringValues filter,
        string? where,
        [NotNullWhen(true)] out DimensionFilter? result,
        [NotNullWhen(false)] out QueryParameterError? error)
    {
        ArgumentNullException.ThrowIfNull(view);
        result = null;
        if (!TryParseConditions(view, filter, out var conditions, out error) || !TryCompileWhere(view, where, out var expression, out error))
        {
            return false;
        }

        result = conditions.Count == 0 && expression is null ? DimensionFilter.None : new DimensionFilter(conditions, expression);
        return true;
    }

    private static bool TryCompileWhere(ViewDefinition view, string? text, out FieldListFilter? expression, [NotNullWhen(false)] out QueryParameterError? error)
    {
        expression = null;
        error = null;
        // Blank is absent, as for every other parameter.
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        try
        {
            expression = FieldListFilter.Compile(text, view.Dimensions, $"a dimension of view '{view.Name}'");
            return true;
        }
        catch (FilterException ex)
        {
            var token = FieldListFilter.DescribeTokenAt(text, ex.Position);
            error = new QueryParameterError(
                WhereParameter,
                $"'{WhereParameter}' at position {ex.Position} ({ViewQueryParser.Shorten(token)}): {ex.Detail}",
                Position: ex.Position,
                Token: ViewQueryParser.Shorten(token));
            return false;
        }
    }

    private static bool TryParseConditions(
        ViewDefinition view, StringValues raw, out IReadOnlyList<DimensionCondition> conditions, [NotNullWhen(false)] out QueryParameterError? error)
    {
        error = null;
        conditions = [];
        var byDimension = new Dictionary<int, List<FieldValue>>();
        var order = new List<int>();
        foreach (var parameter in raw)
        {
            if (parameter is null)
            {
                continue;
            }

            foreach (var item in SplitItems(parameter))
            {
                var colon = item.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    error = new QueryParameterError(
                        FilterParameter,
                        $"'filter' item '{ViewQueryParser.Shorten(Unescape(item))}' is not 'dimension:value' (e.g. filter=country:US,country:DE)");
                    return false;
                }

                var name = item[..colon].Trim();
                var index = view.IndexOfDimension(name);
                if (index < 0)
                {
                    error = new QueryParameterError(
                        FilterParameter,
                        $"'filter' names '{ViewQueryParser.Shorten(name)}', which is not a dimension of view '{view.Name}'; its dimensions are {ViewQueryParser.DimensionList(view)}");
                    return false;
                }

                var dimension = view.Dimensions[index];
                var text = Unescape(item[(colon + 1)..]);
                if (!FieldValue.TryParse(text, dimension.Type, out var value))
                {
                    error = new QueryParameterError(
                        FilterParameter,
                        $"'filter' value '{ViewQueryParser.Shorten(text)}' for dimension '{dimension.Name}' is not a {dimension.Type} value");
                    return false;
                }

                if (!byDimension.TryGetValue(index, out var list))
                {
                    byDimension[index] = list = [];
                    order.Add(index);
                }

                list.Add(value);
            }
        }

        conditions = order.Select(i => new DimensionCondition(view.Dimensions[i], i, byDimension[i])).ToArray();
        return true;
    }

    /// <summary>Splits on commas that a backslash does not escape; the items keep their escapes.</summary>
    private static IEnumerable<string> SplitItems(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == ',')
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
            }

            sb.Append(text[i]);
        }

        return sb.ToString();
    }
}
