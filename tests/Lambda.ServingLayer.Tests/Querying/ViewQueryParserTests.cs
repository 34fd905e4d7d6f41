using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;
using Lambda.Testing;

namespace Lambda.ServingLayer.Tests.Querying;

public sealed class ViewQueryParserTests
{
    private const string Range = "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z";
    private static readonly LambdaCatalog Catalog = TestCatalogs.Default;

    [Fact]
    public void Defaults_are_the_views_granularity_every_dimension_no_filter_and_the_row_cap()
    {
        var query = Queries.Parse(Catalog, "revenue_by_country", Range);

        Assert.Equal(QueryGranularity.Minute, query.Granularity);
        Assert.Equal([0], query.GroupBy);
        Assert.True(query.Filter.IsMatchAll);
        Assert.Equal(100_000, query.Limit);
        Assert.Equal(new TimeRange(Orders.At(0), Orders.At(60)), query.Range);
    }

    [Theory]
    [InlineData("from=2026-11-25T11:00:00%2B01:00&to=2026-11-25T11:00:00Z")]
    [InlineData("from=1795600800000&to=2026-11-25T11:00:00.000Z")]
    [InlineData("FROM=2026-11-25T10:00:00Z&To=2026-11-25T11:00:00Z")]
    public void Instants_may_carry_any_offset_or_be_epoch_milliseconds(string queryString)
    {
        var query = Queries.Parse(Catalog, "revenue_by_country", queryString);

        Assert.Equal(new TimeRange(Orders.At(0), Orders.At(60)), query.Range);
    }

    [Fact]
    public void Every_parameter_is_read()
    {
        var query = Queries.Parse(
            TypeCatalogs.AllTypes,
            "by_everything",
            "from=2026-11-25&to=2026-11-27&granularity=DAY&group_by=ok, site&filter=site:a\\,b,site:c&filter=floor:-3,price:1.5,ok:true,ratio:0.25,seen:2026-01-01T00:00:00Z&limit=7");

        Assert.Equal(QueryGranularity.Day, query.Granularity);
        Assert.Equal([4, 0], query.GroupBy);
        Assert.Equal(7, query.Limit);
        Assert.Equal(["site", "floor", "price", "ok", "ratio", "seen"], query.Filter.Conditions.Select(f => f.Dimension.Name));
        Assert.Equal([FieldValue.FromString("a,b"), FieldValue.FromString("c")], query.Filter.Conditions[0].Values);
        Assert.Equal(FieldValue.FromLong(-3), Assert.Single(query.Filter.Conditions[1].Values));
        Assert.Equal(FieldValue.FromDecimal(1.5m, FieldType.Decimal(9, 3)), Assert.Single(query.Filter.Conditions[2].Values));
        Assert.Equal(FieldValue.FromBool(true), Assert.Single(query.Filter.Conditions[3].Values));
    }

    [Fact]
    public void Quantiles_default_to_p50_p90_p95_p99_and_can_be_chosen()
    {
        Assert.Equal([0.5, 0.9, 0.95, 0.99], Queries.Parse(Catalog, "order_amounts", Range).Quantiles);
        Assert.Equal([0.5, 0.999, 0], Queries.Parse(Catalog, "order_amounts", Range + "&quantiles=0.5, 0.999,0,0.5").Quantiles);
    }

    [Fact]
    public void An_empty_group_by_means_no_dimensions()
    {
        Assert.Empty(Queries.Parse(Catalog, "revenue_by_country", Range + "&group_by=").GroupBy);
    }

    [Theory]
    [InlineData("no_such_view", Range, "view", 404)]
    [InlineData("revenue_by_country", "to=2026-11-25T11:00:00Z", "from", 400)]
    [InlineData("revenue_by_country", "from=2026-11-25T10:00:00Z", "to", 400)]
    [InlineData("revenue_by_country", "from=yesterday&to=2026-11-25T11:00:00Z", "from", 400)]
    [InlineData("revenue_by_country", "from=2026-11-25T10:00:00&to=2026-11-25T11:00:00Z", "from", 400)]
    [InlineData("revenue_by_country", "from=2026-11-25T10:00:00Z&to=2026-13-25", "to", 400)]
    [InlineData("revenue_by_country", "from=2026-11-25T10:00:30Z&to=2026-11-25T11:00:00Z", "from", 400)]
    [InlineData("revenue_by_country", "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00.500Z", "to", 400)]
    [InlineData("revenue_by_country", "from=2026-11-25T11:00:00Z&to=2026-11-25T11:00:00Z", "to", 400)]
    [InlineData("revenue_by_country", "from=2026-11-25T11:00:00Z&to=2026-11-25T10:00:00Z", "to", 400)]
    [InlineData("revenue_by_country", "from=2026-11-25T10:00:00Z&from=2026-11-25T10:01:00Z&to=2026-11-25T11:00:00Z", "from", 400)]
    [InlineData("revenue_by_country", Range + "&granularity=second", "granularity", 400)]
    [InlineData("revenue_by_country", Range + "&granularity=", "granularity", 400)]
    [InlineData("revenue_by_country", Range + "&granularity=hour&granularity=day", "granularity", 400)]
    [InlineData("orders_by_status", "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z&granularity=minute", "granularity", 400)]
    [InlineData("revenue_by_country", Range + "&group_by=city", "group_by", 400)]
    [InlineData("revenue_by_country", Range + "&group_by=country,country", "group_by", 400)]
    [InlineData("revenue_by_country", Range + "&group_by=country,", "group_by", 400)]
    [InlineData("revenue_by_country", Range + "&group_by=revenue", "group_by", 400)]
    [InlineData("revenue_by_country", Range + "&filter=US", "filter", 400)]
    [InlineData("revenue_by_country", Range + "&filter=:US", "filter", 400)]
    [InlineData("revenue_by_country", Range + "&filter=city:Paris", "filter", 400)]
    [InlineData("revenue_by_country", Range + "&filter=country:US,", "filter", 400)]
    [InlineData("revenue_by_country", Range + "&filter=status:paid", "filter", 400)]
    [InlineData("revenue_by_country", Range + "&limit=0", "limit", 400)]
    [InlineData("revenue_by_country", Range + "&limit=-1", "limit", 400)]
    [InlineData("revenue_by_country", Range + "&limit=ten", "limit", 400)]
    [InlineData("revenue_by_country", Range + "&limit=100001", "limit", 400)]
    [InlineData("revenue_by_country", Range + "&limit=99999999999999999999", "limit", 400)]
    [InlineData("revenue_by_country", Range + "&limit=1&limit=2", "limit", 400)]
    [InlineData("revenue_by_country", Range + "&granularty=hour", "granularty", 400)]
    [InlineData("order_amounts", Range + "&quantiles=0.5,", "quantiles", 400)]
    [InlineData("order_amounts", Range + "&quantiles=1.5", "quantiles", 400)]
    [InlineData("order_amounts", Range + "&quantiles=-0.1", "quantiles", 400)]
    [InlineData("order_amounts", Range + "&quantiles=p99", "quantiles", 400)]
    [InlineData("order_amounts", Range + "&quantiles=NaN", "quantiles", 400)]
    [InlineData("revenue_by_country", Range + "&view=x", "view", 400)]
    public void Each_bad_parameter_is_refused_naming_it(string view, string queryString, string parameter, int status)
    {
        var error = Queries.Error(Catalog, view, queryString);

        Assert.Equal(parameter, error.Parameter);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(parameter, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("filter=floor:1.5", "filter")]
    [InlineData("filter=ratio:abc", "filter")]
    [InlineData("filter=price:1.2345", "filter")]
    [InlineData("filter=ok:yes", "filter")]
    [InlineData("filter=seen:noon", "filter")]
    public void Filter_values_must_parse_as_the_dimensions_type(string filter, string parameter)
    {
        var error = Queries.Error(TypeCatalogs.AllTypes, "by_everything", "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z&" + filter);

        Assert.Equal(parameter, error.Parameter);
    }

    [Fact]
    public void A_day_view_needs_day_boundaries_and_says_which()
    {
        var error = Queries.Error(TypeCatalogs.AllTypes, "daily", Range);

        Assert.Equal("from", error.Parameter);
        Assert.Contains("day boundaries", error.Message, StringComparison.Ordinal);
        Assert.Contains("2026-11-25T00:00:00.000Z", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_granularity_finer_than_the_view_names_the_ones_allowed()
    {
        var error = Queries.Error(Catalog, "orders_by_status", Range + "&granularity=minute");

        Assert.Equal("'granularity' = 'minute' is finer than view 'orders_by_status', which is stored per hour; use hour, day, all", error.Message);
    }

    [Fact]
    public void The_row_cap_comes_from_the_options()
    {
        Assert.Equal("limit", Queries.Error(Catalog, "revenue_by_country", Range + "&limit=11", maxRows: 10).Parameter);
        Assert.Equal(10, Queries.Parser(Catalog, 10).TryCreateQuery(Queries.Request("revenue_by_country", Range), out var q, out _) ? q.Limit : 0);
    }

    [Fact]
    public void Echoed_input_is_shortened()
    {
        var error = Queries.Error(Catalog, "revenue_by_country", Range + "&filter=country:" + new string('x', 500) + ",city:" + new string('y', 500));

        Assert.True(error.Message.Length < 300, error.Message);
    }
}
