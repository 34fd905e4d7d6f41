using Lambda.ServingLayer.Configuration;
using Lambda.ServingLayer.Limits;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Time;
using Lambda.Testing;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Tests.Querying;

/// <summary><c>window=</c> of <c>GET /api/views/{view}</c>: the forms it takes, and every refusal names it.</summary>
public sealed class WindowParameterTests
{
    private const string Range = "from=2026-11-25T10:00:00Z&to=2026-11-25T12:00:00Z";
    private static readonly LambdaCatalog Catalog = TestCatalogs.Default;

    [Theory]
    [InlineData("revenue_by_country", "", "15m", Granularity.Minute, 15, "15m")]
    [InlineData("revenue_by_country", "", "PT15M", Granularity.Minute, 15, "15m")]
    [InlineData("revenue_by_country", "", "pt1h30m", Granularity.Minute, 90, "90m")]
    [InlineData("revenue_by_country", "", "1m", Granularity.Minute, 1, "1m")]
    [InlineData("revenue_by_country", "", " 2h ", Granularity.Minute, 120, "2h")]
    [InlineData("revenue_by_country", "", "1d", Granularity.Minute, 1440, "1d")]
    [InlineData("revenue_by_country", "", "PT60S", Granularity.Minute, 1, "1m")]
    [InlineData("revenue_by_country", "&granularity=hour", "3h", Granularity.Hour, 3, "3h")]
    [InlineData("orders_by_status", "", "P1DT12H", Granularity.Hour, 36, "36h")]
    [InlineData("orders_by_status", "", "P2W", Granularity.Hour, 336, "14d")]
    public void A_window_is_a_whole_number_of_the_rows_buckets(string view, string extra, string window, Granularity granularity, long buckets, string echoed)
    {
        var query = Queries.Parse(Catalog, view, Range + extra + "&window=" + Uri.EscapeDataString(window));

        Assert.NotNull(query.Window);
        Assert.Equal(granularity, query.Window.Granularity);
        Assert.Equal(buckets, query.Window.Buckets);
        Assert.Equal(echoed, query.Window.ToString());
    }

    [Fact]
    public void The_stores_are_asked_for_the_window_before_from_as_well()
    {
        var query = Queries.Parse(Catalog, "revenue_by_country", Range + "&window=15m");

        Assert.Equal(new TimeRange(Orders.At(0), Orders.At(120)), query.Range);
        Assert.Equal(new TimeRange(Orders.At(-14), Orders.At(120)), query.Selection.Range);
        Assert.Equal(new TimeRange(Orders.At(0), Orders.At(120)), Queries.Parse(Catalog, "revenue_by_country", Range).Selection.Range);
    }

    [Theory]
    [InlineData("revenue_by_country", "&window=")]
    [InlineData("revenue_by_country", "&window=15")]
    [InlineData("revenue_by_country", "&window=m")]
    [InlineData("revenue_by_country", "&window=15M")]
    [InlineData("revenue_by_country", "&window=-5m")]
    [InlineData("revenue_by_country", "&window=1.5h")]
    [InlineData("revenue_by_country", "&window=15 m")]
    [InlineData("revenue_by_country", "&window=90s")]
    [InlineData("revenue_by_country", "&window=P1Y")]
    [InlineData("revenue_by_country", "&window=P1M")]
    [InlineData("revenue_by_country", "&window=PT")]
    [InlineData("revenue_by_country", "&window=P1DT")]
    [InlineData("revenue_by_country", "&window=P")]
    [InlineData("revenue_by_country", "&window=99999999999d")]
    [InlineData("revenue_by_country", "&window=999999999d")]
    [InlineData("revenue_by_country", "&window=0m")]
    [InlineData("revenue_by_country", "&window=PT0S")]
    [InlineData("revenue_by_country", "&window=PT90S")]
    [InlineData("revenue_by_country", "&window=5m&granularity=all")]
    [InlineData("revenue_by_country", "&window=30m&granularity=hour")]
    [InlineData("revenue_by_country", "&window=1d&granularity=day")]
    [InlineData("orders_by_status", "&window=90m")]
    [InlineData("orders_by_status", "&window=30m")]
    [InlineData("revenue_by_country", "&window=5m&window=10m")]
    [InlineData("revenue_by_country", "&window=1441m")]
    [InlineData("revenue_by_country", "&window=2d")]
    public void Each_bad_window_is_refused_naming_it(string view, string extra)
    {
        var error = Queries.Error(Catalog, view, Range + extra);

        Assert.Equal("window", error.Parameter);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("window", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hour_rows_need_a_range_on_hour_boundaries_so_each_window_ends_with_a_whole_bucket()
    {
        var error = Queries.Error(Catalog, "revenue_by_country", "from=2026-11-25T10:30:00Z&to=2026-11-25T12:00:00Z&granularity=hour&window=2h");

        Assert.Equal("window", error.Parameter);
        Assert.Contains("hour boundaries", error.Message, StringComparison.Ordinal);
        Assert.Contains("2026-11-25T10:00:00.000Z", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_window_of_more_buckets_than_the_setting_allows_names_the_limit_and_the_setting()
    {
        var parser = new ViewQueryParser(Catalog, Options.Create(new ServingOptions()), Options.Create(new QueryLimitsOptions { MaxWindowBuckets = 10 }));

        Assert.True(parser.TryCreateQuery(Queries.Request("revenue_by_country", Range + "&window=10m"), out _, out _));
        Assert.False(parser.TryCreateQuery(Queries.Request("revenue_by_country", Range + "&window=11m"), out _, out var error));
        Assert.Equal("window", error.Parameter);
        Assert.Equal("window", error.Limit);
        Assert.Equal("Serving:Limits:MaxWindowBuckets", error.Setting);
        Assert.Contains("holds 11 minute buckets; a window may hold at most 10 (setting Serving:Limits:MaxWindowBuckets)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_range_limit_counts_the_buckets_the_window_reads_before_from()
    {
        var parser = new ViewQueryParser(Catalog, Options.Create(new ServingOptions()), Options.Create(new QueryLimitsOptions { MaxRangeMinute = TimeSpan.FromHours(2) }));

        Assert.True(parser.TryCreateQuery(Queries.Request("revenue_by_country", Range), out _, out _));
        Assert.True(parser.TryCreateQuery(Queries.Request("revenue_by_country", Range + "&window=1m"), out _, out _));
        Assert.False(parser.TryCreateQuery(Queries.Request("revenue_by_country", Range + "&window=2m"), out _, out var error));
        Assert.Equal("to", error.Parameter);
        Assert.Equal("range", error.Limit);
        Assert.Contains("with the 1 buckets before 'from' that 'window' = 2m reads", error.Message, StringComparison.Ordinal);
    }
}
