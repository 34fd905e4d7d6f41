using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Testing;
using Microsoft.Extensions.Primitives;

namespace Lambda.ServingLayer.Tests.Querying;

/// <summary>The one component that reads dimension filters: <c>filter=</c> (simple form) and <c>where=</c> (the catalog's language).</summary>
public sealed class DimensionFilterParserTests
{
    private static readonly ViewDefinition View = TypeCatalogs.AllTypes.GetView("by_everything");

    [Fact]
    public void A_where_expression_over_the_views_dimensions_keeps_exactly_the_groups_it_describes()
    {
        var filter = Parse(where: "site IN ('a','b') AND ok = TRUE AND NOT (floor >= 3 OR price = 1.5)");

        Assert.Empty(filter.Conditions);
        Assert.NotNull(filter.Where);
        // Hand-written expectations: site a/b, ok true, floor below 3 and price other than 1.5.
        Assert.True(filter.Matches(Dims("a", 1, 1.25m, true)));
        Assert.True(filter.Matches(Dims("b", -7, 2.5m, true)));
        Assert.False(filter.Matches(Dims("c", 1, 1.25m, true)));
        Assert.False(filter.Matches(Dims("a", 1, 1.25m, false)));
        Assert.False(filter.Matches(Dims("a", 3, 1.25m, true)));
        Assert.False(filter.Matches(Dims("a", 1, 1.5m, true)));
    }

    [Fact]
    public void The_simple_form_and_the_equivalent_expression_select_the_same_groups_and_both_hold_when_both_are_given()
    {
        var simple = Parse(filter: "site:a,site:b,floor:1");
        var expression = Parse(where: "site IN ('b', 'a') AND floor = 1");
        var both = Parse(filter: "site:a,site:b", where: "floor != 1");

        foreach (var dims in new[] { Dims("a", 1, 1m, true), Dims("b", 1, 1m, false), Dims("a", 2, 1m, true), Dims("c", 1, 1m, true) })
        {
            Assert.Equal(simple.Matches(dims), expression.Matches(dims));
        }

        Assert.Equal([true, true, false, false], new[] { Dims("a", 1, 1m, true), Dims("b", 1, 1m, true), Dims("a", 2, 1m, true), Dims("c", 1, 1m, true) }.Select(simple.Matches));
        Assert.False(both.Matches(Dims("a", 1, 1m, true)));
        Assert.True(both.Matches(Dims("b", 2, 1m, true)));
        Assert.False(both.Matches(Dims("c", 2, 1m, true)));
    }

    [Fact]
    public void Expressions_spelled_differently_have_one_canonical_text_and_no_filter_is_match_all()
    {
        Assert.Equal(Parse(where: "site in ('b','a') and ok=true").CanonicalText, Parse(where: "site IN ('a', 'b')   AND ok = TRUE").CanonicalText);
        Assert.NotEqual(Parse(where: "site IN ('a')").CanonicalText, Parse(where: "site IN ('b')").CanonicalText);
        Assert.Same(DimensionFilter.None, Parse());
        Assert.True(Parse().IsMatchAll);
    }

    [Theory]
    [InlineData("site = ", 8, "the end of the expression")]
    [InlineData("site = 'a' AND", 15, "the end of the expression")]
    [InlineData("(site = 'a'", 12, "the end of the expression")]
    [InlineData("site = 'a')", 11, "')'")]
    [InlineData("site = 'a' ok = TRUE", 12, "'ok'")]
    [InlineData("site ! 'a'", 6, "'!'")]
    [InlineData("site IN ()", 10, "')'")]
    [InlineData("floor = 'x'", 9, "'x'")]
    [InlineData("ok > TRUE", 4, "'>'")]
    public void A_bad_expression_is_an_error_naming_where_the_position_and_the_token(string where, int position, string token)
    {
        var error = Error(where: where);

        Assert.Equal(DimensionFilterParser.WhereParameter, error.Parameter);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal(position, error.Position);
        Assert.Equal(token, error.Token);
        Assert.StartsWith($"'where' at position {position} ({token}): ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_dimension_is_named_with_the_views_dimensions()
    {
        var error = Error(where: "site = 'a' AND device != 'bot'");

        Assert.Equal(16, error.Position);
        Assert.Equal("'device'", error.Token);
        Assert.Contains("field 'device' is not a dimension of view 'by_everything'", error.Message, StringComparison.Ordinal);
        Assert.Contains("site, floor, ratio, price, ok, seen", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_expression_is_absent_and_a_bad_simple_form_is_an_error_naming_its_parameter()
    {
        Assert.True(Parse(where: "  ").IsMatchAll);
        var simple = Error(filter: "device:bot");
        Assert.Equal(DimensionFilterParser.FilterParameter, simple.Parameter);
        Assert.Contains("'device'", simple.Message, StringComparison.Ordinal);
        Assert.Equal(DimensionFilterParser.FilterParameter, Error(filter: "floor:x").Parameter);
    }

    private static DimensionFilter Parse(string? filter = null, string? where = null)
    {
        Assert.True(DimensionFilterParser.TryParse(View, filter is null ? StringValues.Empty : new StringValues(filter), where, out var result, out var error), error?.Message);
        return result;
    }

    private static QueryParameterError Error(string? filter = null, string? where = null)
    {
        Assert.False(DimensionFilterParser.TryParse(View, filter is null ? StringValues.Empty : new StringValues(filter), where, out _, out var error));
        return error;
    }

    private static FieldValue[] Dims(string site, long floor, decimal price, bool ok) =>
    [
        FieldValue.FromString(site), FieldValue.FromLong(floor), FieldValue.FromDouble(0.5), FieldValue.FromDecimal(price, View.Dimensions[3].Type),
        FieldValue.FromBool(ok), FieldValue.FromTimestamp(0),
    ];
}
