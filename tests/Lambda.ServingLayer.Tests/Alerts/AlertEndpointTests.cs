using System.Net;
using System.Text.Json;
using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Alerts;

/// <summary>Each test has its own host and fakes: rule states depend on everything stored.</summary>
public sealed class AlertEndpointTests : IAsyncLifetime
{
    private readonly ServingAppFactory _factory = new();
    private readonly FakeTimeProvider _time = new(Orders.BaseTime.AddSeconds(30));
    private readonly RecordingNotifier _notifier = new();
    private readonly WebApplicationFactory<Program> _app;

    public AlertEndpointTests()
    {
        _app = _factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Serving:Alerts:Rules:0:Name", "orders_stopped");
            b.UseSetting("Serving:Alerts:Rules:0:View", "revenue_by_country");
            b.UseSetting("Serving:Alerts:Rules:0:Measure", "orders");
            b.UseSetting("Serving:Alerts:Rules:0:Window", "00:05:00");
            b.UseSetting("Serving:Alerts:Rules:0:Condition", "<");
            b.UseSetting("Serving:Alerts:Rules:0:Threshold", "1");
            b.UseSetting("Serving:Alerts:Rules:1:Name", "us_revenue");
            b.UseSetting("Serving:Alerts:Rules:1:View", "revenue_by_country");
            b.UseSetting("Serving:Alerts:Rules:1:Measure", "revenue");
            b.UseSetting("Serving:Alerts:Rules:1:Filter", "country:US");
            b.UseSetting("Serving:Alerts:Rules:1:Window", "00:10:00");
            b.UseSetting("Serving:Alerts:Rules:1:Condition", ">=");
            b.UseSetting("Serving:Alerts:Rules:1:Threshold", "5.5");
            b.UseSetting("Serving:Alerts:EvaluationInterval", "00:00:10");
            b.ConfigureTestServices(services =>
            {
                services.RemoveAll<TimeProvider>().AddSingleton<TimeProvider>(_time);
                services.RemoveAll<IAlertNotifier>().AddSingleton<IAlertNotifier>(_notifier);
            });
        });
    }

    private AlertMonitor Monitor => _app.Services.GetRequiredService<AlertMonitor>();

    private HttpClient Client(string? key)
    {
        var client = _app.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    [Fact]
    public async Task The_list_answers_every_rule_with_its_state_in_snake_case()
    {
        using var client = Client(ServingAppFactory.QueryKey);
        await EvaluateAfterAsync(TimeSpan.FromSeconds(2), us: 3);

        using var response = await client.GetAsync("/api/alerts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["evaluation_interval", "alerts"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("00:00:10", body.GetProperty("evaluation_interval").GetString());
        var alerts = body.GetProperty("alerts").EnumerateArray().ToArray();
        Assert.Equal(["orders_stopped", "us_revenue"], alerts.Select(a => a.GetProperty("name").GetString()));
        Assert.Equal(
            ["name", "view", "measure", "filter", "window", "condition", "threshold", "state", "value", "since", "last_evaluated_at", "last_error", "from", "to"],
            alerts[1].EnumerateObject().Select(p => p.Name));
        var us = alerts[1];
        Assert.Equal(
            ("revenue_by_country", "revenue", "country:US", "00:10:00", ">=", 5.5, "firing", 6.0),
            (us.GetProperty("view").GetString(), us.GetProperty("measure").GetString(), us.GetProperty("filter").GetString(), us.GetProperty("window").GetString(),
                us.GetProperty("condition").GetString(), us.GetProperty("threshold").GetDouble(), us.GetProperty("state").GetString(), us.GetProperty("value").GetDouble()));
        var evaluatedAt = _time.GetUtcNow();
        Assert.Equal(evaluatedAt, us.GetProperty("since").GetDateTimeOffset());
        Assert.Equal(evaluatedAt, us.GetProperty("last_evaluated_at").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, us.GetProperty("last_error").ValueKind);
        Assert.Equal(Orders.BaseTime.AddMinutes(-9), us.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(Orders.BaseTime.AddMinutes(1), us.GetProperty("to").GetDateTimeOffset());
        Assert.Equal(("ok", 3.0, JsonValueKind.Null), (alerts[0].GetProperty("state").GetString(), alerts[0].GetProperty("value").GetDouble(), alerts[0].GetProperty("filter").ValueKind));
    }

    [Fact]
    public async Task One_rule_by_name_and_an_unknown_name_is_a_404_naming_it()
    {
        using var client = Client(ServingAppFactory.QueryKey);

        using var known = await client.GetAsync("/api/alerts/orders_stopped");
        using var unknown = await client.GetAsync("/api/alerts/no_such_rule");

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        var rule = JsonDocument.Parse(await known.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("orders_stopped", "<", 1.0), (rule.GetProperty("name").GetString(), rule.GetProperty("condition").GetString(), rule.GetProperty("threshold").GetDouble()));
        var problem = await ProblemAssert.ReadNamingAsync(unknown, HttpStatusCode.NotFound, "name");
        Assert.Contains("'name' = 'no_such_rule' is not a configured alert rule; the rules are orders_stopped, us_revenue", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(ServingAppFactory.IngestKey, HttpStatusCode.Forbidden)]
    [InlineData(ServingAppFactory.AdminKey, HttpStatusCode.Forbidden)]
    public async Task The_alert_endpoints_need_the_query_scope(string? key, HttpStatusCode expected)
    {
        using var client = Client(key);

        using var list = await client.GetAsync("/api/alerts");
        using var one = await client.GetAsync("/api/alerts/orders_stopped");

        await ProblemAssert.ReadAsync(list, expected);
        await ProblemAssert.ReadAsync(one, expected);
    }

    [Fact]
    public async Task The_hosted_service_evaluates_at_start_and_every_interval_on_the_registered_clock()
    {
        _ = Monitor;
        var start = _time.GetUtcNow();
        await WaitUntilAsync(() => Monitor.GetStatus("orders_stopped")!.LastEvaluatedAt == start);
        Assert.Equal("firing", Monitor.GetStatus("orders_stopped")!.State);

        _factory.Speed.Flush(Lambda.Testing.TestCatalogs.RevenueByCountry, 7, 0, 0, [new OffsetEvent(7, 0, Orders.Create(0, "CH", 1.00m))]);
        _time.Advance(TimeSpan.FromSeconds(10));

        await WaitUntilAsync(() => Monitor.GetStatus("orders_stopped")!.LastEvaluatedAt == start.AddSeconds(10));
        Assert.Equal("ok", Monitor.GetStatus("orders_stopped")!.State);
        // The state is updated before the notification is sent: wait for the second one rather than race it.
        await WaitUntilAsync(() => _notifier.Attempts.Count(a => a.Rule == "orders_stopped") >= 2);
        Assert.Equal(["firing", "ok"], _notifier.Attempts.Where(a => a.Rule == "orders_stopped").Select(a => a.State));
    }

    [Fact]
    public async Task The_openapi_document_lists_the_alert_endpoints_with_the_query_scope()
    {
        using var client = Client(null);

        var paths = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");

        foreach (var path in new[] { "/api/alerts", "/api/alerts/{name}" })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            Assert.Equal("query", get.GetProperty("security")[0].GetProperty("ApiKey")[0].GetString());
            Assert.Equal("Alerts", get.GetProperty("tags")[0].GetString());
        }

        Assert.True(paths.GetProperty("/api/alerts/{name}").GetProperty("get").GetProperty("responses").TryGetProperty("404", out _));
    }

    private async Task EvaluateAfterAsync(TimeSpan advance, int us)
    {
        // Let the start-up evaluation finish first, so the one below is the last.
        await WaitUntilAsync(() => Monitor.GetStatus("us_revenue")!.LastEvaluatedAt is not null);
        for (var i = 0; i < us; i++)
        {
            _factory.Speed.Flush(Lambda.Testing.TestCatalogs.RevenueByCountry, 9, i, i, [new OffsetEvent(9, i, Orders.Create(0, "US", 1.00m + i, $"u{i}"))]);
        }

        _time.Advance(advance);
        await Monitor.EvaluateAllAsync(CancellationToken.None);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(20);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _factory.DisposeAsync();
    }
}
