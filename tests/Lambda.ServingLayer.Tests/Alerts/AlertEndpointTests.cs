using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Alerts.Storage;
using Lambda.ServingLayer.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Alerts;

/// <summary>Each test has its own host and fakes (an in-memory alert store, a leadership the test decides): rule states depend on everything stored.</summary>
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
            b.UseSetting("Serving:Alerts:WebhookUrl", "http://127.0.0.1:9/hooks");
            b.UseSetting("Serving:Alerts:WebhookRetryBaseDelay", "00:00:00.010");
            b.ConfigureTestServices(services =>
            {
                services.RemoveAll<TimeProvider>().AddSingleton<TimeProvider>(_time);
                services.RemoveAll<IAlertNotifier>().AddSingleton<IAlertNotifier>(_notifier);
            });
        });
    }

    private AlertMonitor Monitor => _app.Services.GetRequiredService<AlertMonitor>();

    private InMemoryAlertRuleStore Store => _factory.Alerts;

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
    public async Task The_list_answers_every_rule_with_its_state_in_snake_case_and_whether_this_instance_leads()
    {
        using var client = Client(ServingAppFactory.QueryKey);
        await EvaluateAfterAsync(TimeSpan.FromSeconds(2), us: 3);

        using var response = await client.GetAsync("/api/alerts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["evaluation_interval", "leader", "alerts"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("00:00:10", true), (body.GetProperty("evaluation_interval").GetString(), body.GetProperty("leader").GetBoolean()));
        var alerts = body.GetProperty("alerts").EnumerateArray().ToArray();
        Assert.Equal(["orders_stopped", "us_revenue"], alerts.Select(a => a.GetProperty("name").GetString()));
        Assert.Equal(
            ["name", "source", "view", "measure", "filter", "where", "window", "condition", "threshold", "group_by", "state", "value", "since", "firing_groups",
                "groups", "last_evaluated_at", "last_error", "from", "to", "silence", "kind"],
            alerts[1].EnumerateObject().Select(p => p.Name));
        var us = alerts[1];
        Assert.Equal(
            ("configuration", "revenue_by_country", "revenue", "country:US", "00:10:00", ">=", 5.5, "firing", 6.0, 1),
            (us.GetProperty("source").GetString(), us.GetProperty("view").GetString(), us.GetProperty("measure").GetString(), us.GetProperty("filter").GetString(),
                us.GetProperty("window").GetString(), us.GetProperty("condition").GetString(), us.GetProperty("threshold").GetDouble(), us.GetProperty("state").GetString(),
                us.GetProperty("value").GetDouble(), us.GetProperty("firing_groups").GetInt32()));
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
        using var unknownHistory = await client.GetAsync("/api/alerts/no_such_rule/history");

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        var rule = JsonDocument.Parse(await known.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("orders_stopped", "<", 1.0), (rule.GetProperty("name").GetString(), rule.GetProperty("condition").GetString(), rule.GetProperty("threshold").GetDouble()));
        var problem = await ProblemAssert.ReadNamingAsync(unknown, HttpStatusCode.NotFound, "name");
        Assert.Contains("'name' = 'no_such_rule' is not an alert rule; the rules are orders_stopped, us_revenue", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAssert.ReadNamingAsync(unknownHistory, HttpStatusCode.NotFound, "name");
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
        using var history = await client.GetAsync("/api/alerts/orders_stopped/history");

        await ProblemAssert.ReadAsync(list, expected);
        await ProblemAssert.ReadAsync(one, expected);
        await ProblemAssert.ReadAsync(history, expected);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(ServingAppFactory.QueryKey, HttpStatusCode.Forbidden)]
    [InlineData(ServingAppFactory.IngestKey, HttpStatusCode.Forbidden)]
    public async Task The_alert_admin_endpoints_need_the_admin_scope(string? key, HttpStatusCode expected)
    {
        using var client = Client(key);

        using var list = await client.GetAsync("/api/admin/alerts");
        using var put = await client.PutAsync("/api/admin/alerts/new_rule", Json(RuleJson()));
        using var delete = await client.DeleteAsync("/api/admin/alerts/orders_stopped");
        using var silence = await client.PutAsync("/api/admin/alerts/orders_stopped/silence", Json("""{"until":"2026-11-25T18:00:00Z"}"""));

        foreach (var response in new[] { list, put, delete, silence })
        {
            await ProblemAssert.ReadAsync(response, expected);
        }

        Assert.Null(await Store.GetRuleAsync("new_rule", CancellationToken.None));
    }

    [Fact]
    public async Task The_hosted_service_evaluates_at_start_and_every_interval_on_the_registered_clock_and_the_webhook_hears_each_transition()
    {
        _ = Monitor;
        var start = _time.GetUtcNow();
        await WaitUntilAsync(async () => (await StatusAsync("orders_stopped")).LastEvaluatedAt == start);
        Assert.Equal("firing", (await StatusAsync("orders_stopped")).State);

        _factory.Speed.Flush(Lambda.Testing.TestCatalogs.RevenueByCountry, 7, 0, 0, [new OffsetEvent(7, 0, Orders.Create(0, "CH", 1.00m))]);
        _time.Advance(TimeSpan.FromSeconds(10));

        await WaitUntilAsync(async () => (await StatusAsync("orders_stopped")).LastEvaluatedAt == start.AddSeconds(10));
        Assert.Equal("ok", (await StatusAsync("orders_stopped")).State);
        await WaitUntilAsync(() => Task.FromResult(_notifier.Attempts.Count(a => a.Rule == "orders_stopped") >= 2));
        Assert.Equal(["firing", "ok"], _notifier.Attempts.Where(a => a.Rule == "orders_stopped").Select(a => a.State));
        await WaitUntilAsync(async () => (await Store.GetPendingDeliveriesAsync(CancellationToken.None)).Count == 0);
        Assert.All(await Store.GetHistoryAsync("orders_stopped", 10, null, null, CancellationToken.None), t => Assert.Equal("delivered", t.Delivery));
    }

    [Fact]
    public async Task An_instance_that_does_not_lead_says_so_and_does_not_evaluate()
    {
        _factory.AlertLeadership.Leading = false;
        using var client = Client(ServingAppFactory.QueryKey);

        var body = JsonDocument.Parse(await client.GetStringAsync("/api/alerts")).RootElement;
        _time.Advance(TimeSpan.FromSeconds(30));
        await Task.Delay(200);

        Assert.False(body.GetProperty("leader").GetBoolean());
        Assert.All(body.GetProperty("alerts").EnumerateArray(), a => Assert.Equal(JsonValueKind.Null, a.GetProperty("last_evaluated_at").ValueKind));
        Assert.Null((await StatusAsync("orders_stopped")).LastEvaluatedAt);
        Assert.Empty(_notifier.Attempts);
    }

    [Fact]
    public async Task A_rule_put_through_the_admin_api_is_created_replaced_listed_evaluated_and_deleted()
    {
        using var admin = Client(ServingAppFactory.AdminKey);

        using var created = await admin.PutAsync("/api/admin/alerts/busy_country", Json(RuleJson(threshold: 2, groupBy: """["country"]""")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/admin/alerts/busy_country", created.Headers.Location?.OriginalString);
        var rule = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            ("busy_country", "api", "revenue_by_country", "orders", "00:05:00", ">", 2.0, "country"),
            (rule.GetProperty("name").GetString(), rule.GetProperty("source").GetString(), rule.GetProperty("view").GetString(), rule.GetProperty("measure").GetString(),
                rule.GetProperty("window").GetString(), rule.GetProperty("condition").GetString(), rule.GetProperty("threshold").GetDouble(),
                rule.GetProperty("group_by")[0].GetString()));

        using var replaced = await admin.PutAsync("/api/admin/alerts/busy_country", Json(RuleJson(threshold: 1, groupBy: """["country"]""")));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var list = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/alerts")).RootElement.EnumerateArray().ToArray();
        Assert.Equal(
            [("busy_country", "api", 1.0), ("orders_stopped", "configuration", 1.0), ("us_revenue", "configuration", 5.5)],
            list.Select(r => (r.GetProperty("name").GetString(), r.GetProperty("source").GetString(), r.GetProperty("threshold").GetDouble())));

        // The leader's next round evaluates it per country.
        for (var i = 0; i < 2; i++)
        {
            _factory.Speed.Flush(Lambda.Testing.TestCatalogs.RevenueByCountry, 8, i, i, [new OffsetEvent(8, i, Orders.Create(0, "DE", 1.00m, $"u{i}"))]);
        }

        await Monitor.EvaluateAllAsync(CancellationToken.None);
        using var query = Client(ServingAppFactory.QueryKey);
        var status = JsonDocument.Parse(await query.GetStringAsync("/api/alerts/busy_country")).RootElement;
        Assert.Equal(("firing", 1), (status.GetProperty("state").GetString(), status.GetProperty("firing_groups").GetInt32()));
        Assert.Equal("DE", status.GetProperty("groups")[0].GetProperty("group").GetProperty("country").GetString());

        using var deleted = await admin.DeleteAsync("/api/admin/alerts/busy_country");
        using var again = await admin.DeleteAsync("/api/admin/alerts/busy_country");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ProblemAssert.ReadNamingAsync(again, HttpStatusCode.NotFound, "name");
        Assert.Null(await Store.GetRuleAsync("busy_country", CancellationToken.None));
    }

    [Fact]
    public async Task A_configured_rule_cannot_be_replaced_or_deleted_through_the_api_and_the_409_names_the_setting()
    {
        using var admin = Client(ServingAppFactory.AdminKey);

        using var put = await admin.PutAsync("/api/admin/alerts/orders_stopped", Json(RuleJson()));
        using var delete = await admin.DeleteAsync("/api/admin/alerts/orders_stopped");

        foreach (var response in new[] { put, delete })
        {
            var problem = await ProblemAssert.ReadNamingAsync(response, HttpStatusCode.Conflict, "name");
            Assert.Equal("Serving:Alerts:Rules", problem.GetProperty("setting").GetString());
            Assert.Contains("'name' = 'orders_stopped' is a rule from the configuration (Serving:Alerts:Rules)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("<", (await Store.GetRuleAsync("orders_stopped", CancellationToken.None))!.Definition.Condition);
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { RuleJson(view: "revenue_by_city"), "view", "'view' 'revenue_by_city' is not a view of the catalog" },
        { RuleJson(measure: "profit"), "measure", "'measure' 'profit' is not a measure of view 'revenue_by_country'" },
        { RuleJson(window: "00:05:30"), "window", "'window' '00:05:30' must be a positive whole number of view 'revenue_by_country''s minute buckets" },
        { RuleJson(condition: "=="), "condition", "'condition' '==' is not one of > >= < <=" },
        { RuleJson(groupBy: """["city"]"""), "group_by", "'group_by' 'city' is not a dimension of view 'revenue_by_country'" },
        { """{"view":"revenue_by_country","measure":"orders","window":"00:05:00","condition":"<"}""", "threshold", "'threshold' must be set to a finite number" },
        { """{"view":"revenue_by_country","colour":"red"}""", "colour", "unknown property 'colour'" },
        { """{"view":"revenue_by_country","window":"five minutes"}""", "window", "'window' must be" },
        { "[1,2]", "body", "the body must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_rule_is_a_400_naming_the_field(string body, string field, string detail)
    {
        using var admin = Client(ServingAppFactory.AdminKey);

        using var response = await admin.PutAsync("/api/admin/alerts/bad_rule", Json(body));

        var problem = await ProblemAssert.ReadNamingAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await Store.GetRuleAsync("bad_rule", CancellationToken.None));
    }

    [Fact]
    public async Task A_bad_name_is_a_400_naming_it_and_a_body_that_is_not_json_is_a_415()
    {
        using var admin = Client(ServingAppFactory.AdminKey);

        using var badName = await admin.PutAsync("/api/admin/alerts/no%20spaces", Json(RuleJson()));
        using var text = await admin.PutAsync("/api/admin/alerts/plain", new StringContent(RuleJson(), Encoding.UTF8, "text/plain"));

        await ProblemAssert.ReadNamingAsync(badName, HttpStatusCode.BadRequest, "name");
        await ProblemAssert.ReadNamingAsync(text, HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Fact]
    public async Task A_silence_is_set_shown_and_lifted_through_the_admin_api_and_a_silence_in_the_past_is_refused()
    {
        using var admin = Client(ServingAppFactory.AdminKey);
        using var query = Client(ServingAppFactory.QueryKey);

        using var set = await admin.PutAsync("/api/admin/alerts/orders_stopped/silence", Json("""{"until":"2026-11-25T18:00:00Z","reason":"maintenance"}"""));
        using var past = await admin.PutAsync("/api/admin/alerts/orders_stopped/silence", Json("""{"until":"2026-11-25T09:00:00Z"}"""));
        using var missing = await admin.PutAsync("/api/admin/alerts/orders_stopped/silence", Json("""{"reason":"no end"}"""));
        using var unknown = await admin.PutAsync("/api/admin/alerts/no_such_rule/silence", Json("""{"until":"2026-11-25T18:00:00Z"}"""));

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var silence = JsonDocument.Parse(await query.GetStringAsync("/api/alerts/orders_stopped")).RootElement.GetProperty("silence");
        Assert.Equal(("2026-11-25T18:00:00Z", "maintenance"), (silence.GetProperty("until").GetString(), silence.GetProperty("reason").GetString()));
        await ProblemAssert.ReadNamingAsync(past, HttpStatusCode.BadRequest, "until");
        await ProblemAssert.ReadNamingAsync(missing, HttpStatusCode.BadRequest, "until");
        await ProblemAssert.ReadNamingAsync(unknown, HttpStatusCode.NotFound, "name");

        using var lifted = await admin.DeleteAsync("/api/admin/alerts/orders_stopped/silence");
        Assert.Equal(HttpStatusCode.NoContent, lifted.StatusCode);
        var after = JsonDocument.Parse(await query.GetStringAsync("/api/alerts/orders_stopped")).RootElement;
        Assert.Equal(JsonValueKind.Null, after.GetProperty("silence").ValueKind);
    }

    [Fact]
    public async Task The_history_lists_transitions_newest_first_a_page_at_a_time()
    {
        using var client = Client(ServingAppFactory.QueryKey);
        await WaitUntilAsync(async () => (await StatusAsync("orders_stopped")).LastEvaluatedAt is not null);

        // firing at start; ok after an order; firing again once it left the window.
        _factory.Speed.Flush(Lambda.Testing.TestCatalogs.RevenueByCountry, 9, 0, 0, [new OffsetEvent(9, 0, Orders.Create(0, "US", 1.00m))]);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Monitor.EvaluateAllAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(6));
        await Monitor.EvaluateAllAsync(CancellationToken.None);

        var first = JsonDocument.Parse(await client.GetStringAsync("/api/alerts/orders_stopped/history?limit=2")).RootElement;
        var entries = first.GetProperty("transitions").EnumerateArray().ToArray();
        Assert.Equal(["firing", "ok"], entries.Select(e => e.GetProperty("state").GetString()));
        Assert.Equal(
            ["id", "sequence", "group", "state", "previous_state", "value", "from", "to", "at", "silenced", "delivery", "attempts", "delivered_at"],
            entries[0].EnumerateObject().Select(p => p.Name));
        var next = first.GetProperty("next_before").GetInt64();
        Assert.Equal(entries[1].GetProperty("sequence").GetInt64(), next);

        var second = JsonDocument.Parse(await client.GetStringAsync($"/api/alerts/orders_stopped/history?limit=2&before={next}")).RootElement;
        Assert.Equal(["firing"], second.GetProperty("transitions").EnumerateArray().Select(e => e.GetProperty("state").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_before").ValueKind);
        var byTime = JsonDocument.Parse(await client.GetStringAsync("/api/alerts/orders_stopped/history?before=2026-11-25T10:00:31Z")).RootElement;
        Assert.Equal(["firing"], byTime.GetProperty("transitions").EnumerateArray().Select(e => e.GetProperty("state").GetString()));

        using var badLimit = await client.GetAsync("/api/alerts/orders_stopped/history?limit=0");
        using var badBefore = await client.GetAsync("/api/alerts/orders_stopped/history?before=yesterday");
        using var unknownParameter = await client.GetAsync("/api/alerts/orders_stopped/history?after=1");
        await ProblemAssert.ReadNamingAsync(badLimit, HttpStatusCode.BadRequest, "limit");
        await ProblemAssert.ReadNamingAsync(badBefore, HttpStatusCode.BadRequest, "before");
        await ProblemAssert.ReadNamingAsync(unknownParameter, HttpStatusCode.BadRequest, "after");
    }

    [Fact]
    public async Task The_openapi_document_lists_the_alert_endpoints_with_their_scopes()
    {
        using var client = Client(null);

        var paths = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");

        foreach (var path in new[] { "/api/alerts", "/api/alerts/{name}", "/api/alerts/{name}/history" })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            Assert.Equal("query", get.GetProperty("security")[0].GetProperty("ApiKey")[0].GetString());
            Assert.Equal("Alerts", get.GetProperty("tags")[0].GetString());
        }

        foreach (var (path, method) in new[] { ("/api/admin/alerts", "get"), ("/api/admin/alerts/{name}", "put"), ("/api/admin/alerts/{name}", "delete"), ("/api/admin/alerts/{name}/silence", "put") })
        {
            Assert.Equal("admin", paths.GetProperty(path).GetProperty(method).GetProperty("security")[0].GetProperty("ApiKey")[0].GetString());
        }

        Assert.True(paths.GetProperty("/api/alerts/{name}").GetProperty("get").GetProperty("responses").TryGetProperty("404", out _));
        Assert.True(paths.GetProperty("/api/admin/alerts/{name}").GetProperty("put").GetProperty("responses").TryGetProperty("409", out _));
    }

    private static string RuleJson(
        string view = "revenue_by_country", string measure = "orders", string window = "00:05:00", string condition = ">", double threshold = 2, string groupBy = "[]") =>
        $$"""{"view":"{{view}}","measure":"{{measure}}","window":"{{window}}","condition":"{{condition}}","threshold":{{threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"group_by":{{groupBy}}}""";

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<Lambda.ServingLayer.Alerts.Api.AlertRuleStatus> StatusAsync(string name) =>
        Lambda.ServingLayer.Alerts.Api.AlertRuleStatus.Of(
            (await Store.GetRuleAsync(name, CancellationToken.None))!, await Store.GetStatesAsync(CancellationToken.None), _time.GetUtcNow());

    private async Task EvaluateAfterAsync(TimeSpan advance, int us)
    {
        // Let the start-up evaluation finish first, so the one below is the last.
        await WaitUntilAsync(async () => (await StatusAsync("us_revenue")).LastEvaluatedAt is not null);
        for (var i = 0; i < us; i++)
        {
            _factory.Speed.Flush(Lambda.Testing.TestCatalogs.RevenueByCountry, 9, i, i, [new OffsetEvent(9, i, Orders.Create(0, "US", 1.00m + i, $"u{i}"))]);
        }

        _time.Advance(advance);
        await Monitor.EvaluateAllAsync(CancellationToken.None);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
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
