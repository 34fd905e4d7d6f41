using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.Alerts;

/// <summary>
/// Two built serving-layer processes sharing PostgreSQL (the run's alert schema and leader lock) with the speed layer on
/// the local stack, and a per-user rule "more than 5 failed payments of one user within 10 minutes": exactly one instance
/// leads; when it is killed (SIGKILL) while the rule fires, the other takes over within the documented bound and carries
/// on without repeating a transition (the webhook hears each transition id once); after every service is restarted, the
/// history and the states are intact and nothing is sent again.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class AlertFailoverStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string QueryKey = "alert-failover-query-key";
    private const string IngestKey = "alert-failover-ingest-key";
    private const string MetricsKey = "alert-failover-scrape-key-0123456789";
    private static readonly TimeSpan EvaluationInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LeaderRetryInterval = TimeSpan.FromSeconds(1);

    private readonly WebhookReceiver _receiver = new();
    private PlatformRig _rig = null!;

    public async Task InitializeAsync() => _rig = await PlatformRig.CreateAsync("alert-failover", 1, Catalog, TimeSpan.FromSeconds(30));

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task The_leader_is_killed_while_a_per_user_rule_fires_the_other_instance_takes_over_and_a_restart_keeps_history_and_states()
    {
        StartSpeed();
        var a = StartServing();
        var b = StartServing();
        var leader = await LeaderAsync(a, b);
        var follower = leader == a ? b : a;

        await FailPaymentsAsync(leader.Port, "u-1", 6);
        var firstFiring = await NextTransitionAsync("u-1", "firing", leader.Process);
        Assert.Equal(1, PrometheusText.Sum(await ScrapeAsync(leader.MetricsPort), "lambda_serving_alert_firing", "rule=\"fraud\""));
        Assert.Equal(1, PrometheusText.Sum(await ScrapeAsync(leader.MetricsPort), "lambda_serving_alert_leader"));
        Assert.Equal(0, PrometheusText.Sum(await ScrapeAsync(follower.MetricsPort), "lambda_serving_alert_leader"));

        // SIGKILL: no resignation; the lock goes when PostgreSQL sees the session end.
        var killed = Stopwatch.StartNew();
        _rig.Kill(leader.Process);
        await PlatformRig.Eventually(async () => (await AlertsAsync(follower.Port)).GetProperty("leader").GetBoolean(), "the follower to lead", TimeSpan.FromSeconds(60), () => follower.Process.Tail);
        var takeover = killed.Elapsed;
        output.WriteLine($"takeover after {takeover.TotalSeconds:0.0} s (bound: LeaderRetryInterval {LeaderRetryInterval.TotalSeconds} s + EvaluationInterval {EvaluationInterval.TotalSeconds} s, plus polling)");
        Assert.True(takeover < LeaderRetryInterval + EvaluationInterval + TimeSpan.FromSeconds(5), $"took {takeover} to take over");

        await FailPaymentsAsync(follower.Port, "u-2", 7);
        await NextTransitionAsync("u-2", "firing", follower.Process);
        await PlatformRig.Eventually(
            async () => PrometheusText.Sum(await ScrapeAsync(follower.MetricsPort), "lambda_serving_alert_firing", "rule=\"fraud\"") == 2,
            "the new leader's firing gauge to count both users",
            TimeSpan.FromSeconds(30));

        // Each transition once: u-1 fired once (the new leader loaded its state rather than firing it again), u-2 once.
        var transitions = Transitions();
        Assert.Equal(["u-1 firing", "u-2 firing"], transitions.Select(t => $"{t.User} {t.State}").Distinct().Order(StringComparer.Ordinal));
        Assert.All(transitions.GroupBy(t => (t.User, t.State)), g => Assert.Single(g.Select(t => t.Id).Distinct()));
        Assert.Equal(firstFiring, transitions.First(t => t.User == "u-1").Id);
        var before = await RuleAsync(follower.Port);
        var historyBefore = await HistoryAsync(follower.Port);
        Assert.Equal(transitions.Select(t => t.Id).Distinct().Order(StringComparer.Ordinal), historyBefore.Select(h => h.Id).Order(StringComparer.Ordinal));

        // Restart every service.
        foreach (var service in _rig.Services.ToArray())
        {
            _rig.Kill(service);
        }

        var restarted = DateTimeOffset.UtcNow;
        var bodiesBefore = _receiver.Bodies.Count;
        StartSpeed();
        var c = StartServing();
        var d = StartServing();
        var newLeader = await LeaderAsync(c, d);
        await PlatformRig.Eventually(
            async () => (await RuleAsync(newLeader.Port)).GetProperty("last_evaluated_at").GetDateTimeOffset() > restarted
                && (await RuleAsync(newLeader.Port)).GetProperty("last_error").ValueKind == JsonValueKind.Null,
            "the new leader to evaluate the rule without error",
            TimeSpan.FromSeconds(60),
            () => newLeader.Process.Tail);

        var after = await RuleAsync(newLeader.Port);
        Assert.Equal(("firing", 2), (after.GetProperty("state").GetString(), after.GetProperty("firing_groups").GetInt32()));
        Assert.Equal(Groups(before), Groups(after));
        Assert.Equal(historyBefore, await HistoryAsync(newLeader.Port));
        Assert.Equal(bodiesBefore, _receiver.Bodies.Count);
        Assert.Equal(2, PrometheusText.Sum(await ScrapeAsync(newLeader.MetricsPort), "lambda_serving_alert_firing", "rule=\"fraud\""));
    }

    private static string Catalog(string topic) => $$"""
        sources:
          payments:
            topic: {{topic}}
            time: ts
            key: user_id
            fields: { payment_id: string, user_id: string, amount: "decimal(18,2)", succeeded: bool }
        views:
          failed_payments_by_user:
            source: payments
            where: succeeded = false
            granularity: minute
            dimensions: [user_id]
            measures: { failures: count, amount: sum(amount) }
        """;

    private void StartSpeed() => _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(_rig.Environment())
    {
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
        ["SpeedLayer__GroupId"] = $"alert-failover-speed-{_rig.RunId}",
        ["SpeedLayer__FlushInterval"] = "00:00:00.200",
    });

    private Serving StartServing()
    {
        var (port, metricsPort) = (FreePort.Next(), FreePort.Next());
        var process = _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(_rig.Environment())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Serving__HangfireSchema"] = $"hangfire_af_{_rig.RunId}",
            ["Telemetry__MetricsPort"] = metricsPort.ToString(CultureInfo.InvariantCulture),
            ["Telemetry__MetricsApiKey"] = MetricsKey,
            ["Serving__ApiKeys__0__Key"] = QueryKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "query",
            ["Serving__ApiKeys__1__Key"] = IngestKey,
            ["Serving__ApiKeys__1__Scopes__0"] = "ingest",
            ["Serving__Alerts__EvaluationInterval"] = EvaluationInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Serving__Alerts__LeaderRetryInterval"] = LeaderRetryInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Serving__Alerts__WebhookUrl"] = _receiver.Url,
            ["Serving__Alerts__WebhookRetryBaseDelay"] = "00:00:00.200",
            ["Serving__Alerts__Rules__0__Name"] = "fraud",
            ["Serving__Alerts__Rules__0__View"] = "failed_payments_by_user",
            ["Serving__Alerts__Rules__0__Measure"] = "failures",
            ["Serving__Alerts__Rules__0__Window"] = "00:10:00",
            ["Serving__Alerts__Rules__0__Condition"] = ">",
            ["Serving__Alerts__Rules__0__Threshold"] = "5",
            ["Serving__Alerts__Rules__0__GroupBy__0"] = "user_id",
        });
        return new Serving(process, port, metricsPort);
    }

    /// <summary>Waits until both instances answer and exactly one of them leads.</summary>
    private async Task<Serving> LeaderAsync(Serving one, Serving other)
    {
        Serving? leader = null;
        await PlatformRig.Eventually(
            async () =>
            {
                var leading = new List<Serving>();
                foreach (var instance in new[] { one, other })
                {
                    try
                    {
                        if ((await AlertsAsync(instance.Port)).GetProperty("leader").GetBoolean())
                        {
                            leading.Add(instance);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }

                Assert.True(leading.Count <= 1, "two instances lead at once");
                leader = leading.SingleOrDefault();
                return leader is not null;
            },
            "one serving instance to lead",
            TimeSpan.FromSeconds(90),
            () => one.Process.Tail + "\n---\n" + other.Process.Tail);
        return leader!;
    }

    private async Task FailPaymentsAsync(int port, string user, int count)
    {
        var body = new StringBuilder();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $$"""{"ts":"{{now:yyyy-MM-ddTHH:mm:ss.fffZ}}","payment_id":"{{user}}-{{i}}","user_id":"{{user}}","amount":{{10 + i}}.00,"succeeded":false}""").Append('\n');
        }

        // One that succeeded does not count.
        body.Append(CultureInfo.InvariantCulture, $$"""{"ts":"{{now:yyyy-MM-ddTHH:mm:ss.fffZ}}","payment_id":"{{user}}-ok","user_id":"{{user}}","amount":1.00,"succeeded":true}""").Append('\n');
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/api/events/payments")
        {
            Content = new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"),
        };
        request.Headers.Add("X-Api-Key", IngestKey);
        using var response = await _rig.Http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Waits for the webhook to hear <paramref name="state"/> of <paramref name="user"/>; its id.</summary>
    private async Task<string> NextTransitionAsync(string user, string state, ServiceProcess process)
    {
        string? id = null;
        await PlatformRig.Eventually(
            () =>
            {
                id = Transitions().FirstOrDefault(t => t.User == user && t.State == state).Id;
                return Task.FromResult(id is not null);
            },
            $"the webhook to hear {user} {state}",
            TimeSpan.FromSeconds(60),
            () => process.Tail);
        return id!;
    }

    private List<(string Id, string User, string State)> Transitions() => _receiver.Bodies
        .Select(b => JsonDocument.Parse(b).RootElement)
        .Select(e => (e.GetProperty("id").GetString()!, e.GetProperty("group").GetProperty("user_id").GetString()!, e.GetProperty("state").GetString()!))
        .ToList();

    private async Task<JsonElement> AlertsAsync(int port) => JsonDocument.Parse(await GetAsync($"http://127.0.0.1:{port}/api/alerts", QueryKey)).RootElement;

    private async Task<JsonElement> RuleAsync(int port) => JsonDocument.Parse(await GetAsync($"http://127.0.0.1:{port}/api/alerts/fraud", QueryKey)).RootElement;

    private async Task<List<(string Id, string User, string State)>> HistoryAsync(int port) =>
        JsonDocument.Parse(await GetAsync($"http://127.0.0.1:{port}/api/alerts/fraud/history", QueryKey)).RootElement.GetProperty("transitions").EnumerateArray()
            .Select(t => (t.GetProperty("id").GetString()!, t.GetProperty("group").GetProperty("user_id").GetString()!, t.GetProperty("state").GetString()!))
            .ToList();

    private static List<string> Groups(JsonElement rule) => rule.GetProperty("groups").EnumerateArray()
        .Select(g => $"{g.GetProperty("group").GetProperty("user_id").GetString()} {g.GetProperty("value").GetDouble()} {g.GetProperty("since").GetString()}")
        .Order(StringComparer.Ordinal)
        .ToList();

    private Task<string> ScrapeAsync(int metricsPort) => GetAsync($"http://127.0.0.1:{metricsPort}/metrics", MetricsKey);

    private async Task<string> GetAsync(string url, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Api-Key", key);
        using var response = await _rig.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    private sealed record Serving(ServiceProcess Process, int Port, int MetricsPort);
}
