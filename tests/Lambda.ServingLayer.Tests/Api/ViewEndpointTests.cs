using System.Net;
using System.Text.Json;
using Lambda.ServingLayer.Tests.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;

namespace Lambda.ServingLayer.Tests.Api;

public sealed class ViewEndpointTests : IClassFixture<ServingAppFactory>
{
    private readonly ServingAppFactory _factory;
    private readonly HttpClient _client;

    public ViewEndpointTests(ServingAppFactory factory)
    {
        _factory = factory;
        _client = factory.CreateClient(ServingAppFactory.QueryKey);
    }

    [Fact]
    public async Task The_catalog_lists_views_with_dimensions_measures_and_granularity()
    {
        using var response = await _client.GetAsync("/api/views");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var views = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("views");
        var revenue = views.EnumerateArray().Single(v => v.GetProperty("name").GetString() == "revenue_by_country");
        Assert.Equal("minute", revenue.GetProperty("granularity").GetString());
        Assert.Equal("orders", revenue.GetProperty("source").GetString());
        Assert.Equal("status = 'paid'", revenue.GetProperty("filter").GetString());
        Assert.Equal(["country"], revenue.GetProperty("dimensions").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.Equal(
            ["orders:count:long", "revenue:sum(amount):decimal", "biggest:max(amount):decimal", "buyers:distinct(user_id):long"],
            revenue.GetProperty("measures").EnumerateArray().Select(m =>
                $"{m.GetProperty("name").GetString()}:{m.GetProperty("expression").GetString()}:{m.GetProperty("result_type").GetString()}"));
        Assert.Equal(TestCatalogs.Default.Views.Count, views.GetArrayLength());

        // A derived dimension names its expression.
        var band = views.EnumerateArray().Single(v => v.GetProperty("name").GetString() == "orders_by_amount_band").GetProperty("dimensions")[0];
        Assert.Equal(("amount_band", "decimal(18,2)", "bucket(amount, 50)"), (band.GetProperty("name").GetString(), band.GetProperty("type").GetString(), band.GetProperty("expression").GetString()));
    }

    [Fact]
    public async Task A_query_answers_in_the_contracts_shape()
    {
        var view = TestCatalogs.Default.GetView("failed_payments");
        using var response = await _client.GetAsync($"/api/views/{view.Name}?from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z&granularity=all");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "{\"view\":\"failed_payments\",\"granularity\":\"all\",\"rows\":[],\"watermark\":{\"run_id\":null,\"definition_hash\":\"" + view.DefinitionHash + "\",\"partitions\":{},\"speed\":{}},\"complete\":false,\"complete_from\":{}}",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Merged_rows_come_back_with_decimal_scales_and_the_watermark_used()
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = ViewQueryEngineTests.Numbered(
            (0, Orders.Create(0, "US", 246.60m, "u1")), (0, Orders.Create(1, "US", 99.00m, "u2")), (1, Orders.Create(2, "CH", 12.00m, "u3")));
        _factory.Speed.FlushAll(view, events, _ => [1]);
        _factory.Batch.Publish(view, "run-7", new Dictionary<int, long> { [0] = 1 }, events);

        using var response = await _client.GetAsync("/api/views/revenue_by_country?from=2026-11-25T10:00:00Z&to=2026-11-25T12:00:00Z&granularity=hour&filter=country:US,country:DE");

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(
            "\"rows\":[{\"bucket\":\"2026-11-25T10:00:00Z\",\"country\":\"US\",\"orders\":2,\"revenue\":345.60,\"biggest\":246.60,\"buyers\":2}]",
            body,
            StringComparison.Ordinal);
        var watermark = JsonDocument.Parse(body).RootElement.GetProperty("watermark");
        Assert.Equal("run-7", watermark.GetProperty("run_id").GetString());
        Assert.Equal(1, watermark.GetProperty("partitions").GetProperty("0").GetInt64());
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(0, JsonDocument.Parse(body).RootElement.GetProperty("complete_from").GetProperty("0").GetInt64());
    }

    [Fact]
    public async Task A_where_expression_answers_exactly_like_the_equivalent_filter()
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = ViewQueryEngineTests.Numbered(
            (5, Orders.Create(1440, "US", 246.60m, "u1")), (5, Orders.Create(1441, "DE", 99.00m, "u2")), (6, Orders.Create(1442, "CH", 12.00m, "u3")),
            (6, Orders.Create(1443, "D'E", 7.00m, "u4")), (5, Orders.Create(1501, "US", 1.00m, "u5")));
        _factory.Speed.FlushAll(view, events, _ => []);
        // A day and partitions of their own: the fixture's stores (and batch watermark) are shared with the other tests of this class.
        const string Range = "/api/views/revenue_by_country?from=2026-11-26T10:00:00Z&to=2026-11-26T12:00:00Z&granularity=hour";

        using var simple = await _client.GetAsync(Range + "&filter=country:US,country:DE");
        using var where = await _client.GetAsync(Range + "&where=" + Uri.EscapeDataString("country IN ('US','DE') AND country != 'D''E'"));

        var expected = await simple.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, simple.StatusCode);
        Assert.Contains("\"country\":\"DE\"", expected, StringComparison.Ordinal);
        Assert.Contains("\"country\":\"US\"", expected, StringComparison.Ordinal);
        Assert.DoesNotContain("CH", expected, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, where.StatusCode);
        Assert.Equal(expected, await where.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Queries_that_differ_only_in_their_quantiles_each_get_their_own_percentiles()
    {
        var view = TestCatalogs.Default.GetView("order_amounts");
        var events = ViewQueryEngineTests.Numbered(Enumerable.Range(1, 100).Select(i => (7, Orders.Create(2880 + (i % 60), "US", i, "u" + i))).ToArray());
        _factory.Speed.FlushAll(view, events, _ => []);
        // Back to back, so the second is within the first's shared-answer window (Serving:QueryResultRefresh).
        const string Range = "/api/views/order_amounts?from=2026-11-27T10:00:00Z&to=2026-11-27T11:00:00Z&group_by=";

        using var defaults = await _client.GetAsync(Range);
        using var chosen = await _client.GetAsync(Range + "&quantiles=0.5");

        Assert.Equal(HttpStatusCode.OK, defaults.StatusCode);
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
        var first = JsonDocument.Parse(await defaults.Content.ReadAsStringAsync()).RootElement.GetProperty("rows")[0].GetProperty("amount");
        var second = JsonDocument.Parse(await chosen.Content.ReadAsStringAsync()).RootElement.GetProperty("rows")[0].GetProperty("amount");
        Assert.Equal(["p50", "p90", "p95", "p99"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["p50"], second.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("country IN ('US',", 18, "the end of the expression")]
    [InlineData("country = 'US' AND device != 'bot'", 20, "'device'")]
    public async Task A_bad_where_expression_is_a_problem_naming_the_position_and_the_token(string where, int position, string token)
    {
        using var response = await _client.GetAsync("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&where=" + Uri.EscapeDataString(where));

        var problem = await ProblemAssert.ReadNamingAsync(response, HttpStatusCode.BadRequest, "where");
        Assert.Equal(position, problem.GetProperty("position").GetInt32());
        Assert.Equal(token, problem.GetProperty("token").GetString());
        Assert.Contains($"position {position} ({token})", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("group_by=", 0)]
    [InlineData("group_by=country", 1)]
    [InlineData("", 1)]
    [InlineData("where=", 1)]
    [InlineData("where=%20", 1)]
    [InlineData("FROM=2026-11-25T10:00:00Z&To=2026-11-25T11:00:00Z&Granularity=all", 1)]
    public async Task Parameters_bind_as_the_contract_says(string parameters, int dimensionColumns)
    {
        var view = TestCatalogs.RevenueByCountry;
        _factory.Speed.FlushAll(view, ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 10.00m, "u1"))), _ => [1]);
        var range = parameters.StartsWith("FROM", StringComparison.Ordinal) ? string.Empty : "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z&granularity=all&";

        using var response = await _client.GetAsync($"/api/views/{view.Name}?{range}{parameters}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("rows")[0];
        Assert.Equal(dimensionColumns, row.EnumerateObject().Count(p => p.Name == "country"));
    }

    [Theory]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z&granularity=second", "granularity", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/orders_by_status?from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z&granularity=minute", "granularity", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?to=2026-11-25T11:00:00Z", "from", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25T10:00:00Z&to=tomorrow", "to", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&group_by=city", "group_by", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&filter=country", "filter", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&limit=0", "limit", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&colour=red", "colour", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/no_such_view?from=2026-11-25&to=2026-11-26", "view", HttpStatusCode.NotFound)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&from=2026-11-24&to=2026-11-26", "from", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&limit=1&LIMIT=2", "limit", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&limit=ten", "limit", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&granularity=", "granularity", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&filter=", "filter", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&view=orders", "view", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&where=%3D%27US%27", "where", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/order_amounts?from=2026-11-25&to=2026-11-26&quantiles=0.5&quantiles=0.9", "quantiles", HttpStatusCode.BadRequest)]
    [InlineData("/api/views/revenue_by_country?from=&to=2026-11-26", "from", HttpStatusCode.BadRequest)]
    public async Task A_bad_parameter_is_a_problem_naming_it(string url, string parameter, HttpStatusCode status)
    {
        using var response = await _client.GetAsync(url);

        var problem = await ProblemAssert.ReadNamingAsync(response, status, parameter);
        Assert.Equal(new Uri(url, UriKind.Relative).OriginalString.Split('?')[0], problem.GetProperty("instance").GetString());
    }
}
