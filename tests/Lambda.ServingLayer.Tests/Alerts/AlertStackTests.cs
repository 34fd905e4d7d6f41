extern alias speedlayer;

using System.Text.Json;
using Lambda.ServingLayer.Tests.Integration;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using speedlayer::Lambda.SpeedLayer.Storage;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Alerts;

/// <summary>
/// An alert rule end to end on the real seams: speed flushes in ClickHouse 18.16 (a database of its own), the service's
/// hosted evaluator on a fake clock, and the webhook a real HTTP endpoint.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class AlertStackTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private readonly ClickHouseClient _client;
    private readonly string _datasetRoot = Directory.CreateTempSubdirectory("lambda-alerts-").FullName;
    private readonly WebhookReceiver _receiver = new();
    private readonly string _schema = $"it_alerts_{Guid.NewGuid():N}";

    public AlertStackTests()
    {
        _client = new ClickHouseClient(_http, new ClickHouseOptions { Url = StackEndpoints.Load().ClickHouseUrl, Database = $"it_alerts_{Guid.NewGuid():N}" });
    }

    public Task InitializeAsync() => _client.EnsureDatabaseAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _client.ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(_client.Database)}", CancellationToken.None);
        await using (var postgres = Npgsql.NpgsqlDataSource.Create(StackEndpoints.Load().PostgresConnectionString))
        await using (var drop = postgres.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        _http.Dispose();
        await _receiver.DisposeAsync();
        Directory.Delete(_datasetRoot, recursive: true);
    }

    [Fact]
    public async Task A_rule_over_clickhouse_fires_and_resolves_and_the_webhook_hears_both()
    {
        var view = TestCatalogs.RevenueByCountry;
        var writer = new SpeedTableWriter(new ClickHouseSpeedTableWriter(_client, NullLogger<ClickHouseSpeedTableWriter>.Instance), view);
        await writer.CreateAsync();
        var time = new FakeTimeProvider(Orders.BaseTime.AddSeconds(30));
        await using var stack = new StackAppFactory(new Dictionary<string, string?>
        {
            ["ClickHouse:Database"] = _client.Database,
            ["Batch:DatasetRoot"] = _datasetRoot,
            ["Serving:Alerts:EvaluationInterval"] = "00:00:10",
            ["Serving:Alerts:Schema"] = _schema,
            ["Serving:Alerts:LeaderLockKey"] = Random.Shared.NextInt64(1, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Serving:Alerts:WebhookUrl"] = _receiver.Url,
            ["Serving:Alerts:Rules:0:Name"] = "orders_stopped",
            ["Serving:Alerts:Rules:0:View"] = view.Name,
            ["Serving:Alerts:Rules:0:Measure"] = "orders",
            ["Serving:Alerts:Rules:0:Window"] = "00:05:00",
            ["Serving:Alerts:Rules:0:Condition"] = "<",
            ["Serving:Alerts:Rules:0:Threshold"] = "1",
        });
        await using var app = stack.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.RemoveAll<TimeProvider>().AddSingleton<TimeProvider>(time)));
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", StackAppFactory.QueryKey);

        // Evaluated at start: no order in [09:56, 10:01).
        var firing = JsonDocument.Parse((await _receiver.NextAsync()).Body).RootElement;
        Assert.Equal(("firing", 0), (firing.GetProperty("state").GetString(), firing.GetProperty("value").GetInt32()));
        Assert.True(firing.GetProperty("id").TryGetGuid(out _));

        await writer.FlushAsync(3, 0, 1, [new OffsetEvent(3, 0, Orders.Create(0, "US", 5.00m)), new OffsetEvent(3, 1, Orders.Create(0, "CH", 7.00m, "u2"))]);
        time.Advance(TimeSpan.FromSeconds(10));

        var ok = JsonDocument.Parse((await _receiver.NextAsync()).Body).RootElement;
        Assert.Equal(("ok", "firing", 2), (ok.GetProperty("state").GetString(), ok.GetProperty("previous_state").GetString(), ok.GetProperty("value").GetInt32()));
        var status = JsonDocument.Parse(await client.GetStringAsync("/api/alerts/orders_stopped")).RootElement;
        Assert.Equal(("ok", 2, JsonValueKind.Null), (status.GetProperty("state").GetString(), status.GetProperty("value").GetInt32(), status.GetProperty("last_error").ValueKind));
        Assert.Equal(time.GetUtcNow(), status.GetProperty("since").GetDateTimeOffset());
        Assert.Equal(2, _receiver.Count);

        // Both transitions are in the PostgreSQL history, newest first, delivered (recorded once the webhook answered), under the ids it heard.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement history;
        while ((history = JsonDocument.Parse(await client.GetStringAsync("/api/alerts/orders_stopped/history")).RootElement.GetProperty("transitions"))
            .EnumerateArray().Any(t => t.GetProperty("delivery").GetString() == "pending") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(
            [(ok.GetProperty("id").GetString(), "ok", "delivered"), (firing.GetProperty("id").GetString(), "firing", "delivered")],
            history.EnumerateArray().Select(t => (t.GetProperty("id").GetString(), t.GetProperty("state").GetString(), t.GetProperty("delivery").GetString())));
    }
}
