using System.Net;
using System.Text.Json;
using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Tests.Alerts;

public sealed class WebhookAlertNotifierTests : IAsyncLifetime
{
    private readonly WebhookReceiver _receiver = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddHttpClient().BuildServiceProvider();

    private WebhookAlertNotifier Notifier(TimeSpan? timeout = null, string? url = null) => new(
        _services.GetRequiredService<IHttpClientFactory>(),
        Options.Create(new AlertOptions { WebhookUrl = url ?? _receiver.Url, WebhookTimeout = timeout ?? TimeSpan.FromSeconds(5) }));

    [Fact]
    public async Task Each_transition_posts_the_documented_json_once_to_a_real_endpoint()
    {
        var rig = new AlertRig(Notifier(), AlertRig.OrdersStopped());

        await rig.EvaluateAsync();
        var (contentType, firing) = await _receiver.NextAsync();
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await rig.EvaluateAsync();
        rig.FlushOrders(minute: 0, "US", count: 2);
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await rig.EvaluateAsync();
        var (_, resolved) = await _receiver.NextAsync();

        Assert.StartsWith("application/json", contentType, StringComparison.Ordinal);
        var id = (await rig.HistoryAsync())[^1].Id;
        Assert.Equal(
            $$"""{"id":"{{id}}","rule":"orders_stopped","group":null,"state":"firing","previous_state":"ok","view":"revenue_by_country","measure":"orders","filter":null,"window":"00:05:00","condition":"\u003C","threshold":1,"value":0,"from":"2026-11-25T09:56:00Z","to":"2026-11-25T10:01:00Z","at":"2026-11-25T10:00:30Z"}""",
            firing);
        var ok = JsonDocument.Parse(resolved).RootElement;
        Assert.Equal(("ok", "firing", 2), (ok.GetProperty("state").GetString(), ok.GetProperty("previous_state").GetString(), ok.GetProperty("value").GetInt32()));
        Assert.Equal("2026-11-25T10:00:50Z", ok.GetProperty("at").GetString());
        Assert.Equal(2, _receiver.Count);
        Assert.False(_receiver.HasPending);
    }

    [Fact]
    public async Task A_failing_webhook_is_an_error_that_is_retried_with_the_same_body_and_then_recorded_as_failed()
    {
        _receiver.Status = HttpStatusCode.InternalServerError;
        var notifier = Notifier();
        var rig = new AlertRig(notifier, AlertRig.OrdersStopped());

        await Assert.ThrowsAsync<HttpRequestException>(() => notifier.NotifyAsync(Notification(), CancellationToken.None));
        await _receiver.NextAsync();

        await rig.EvaluateAsync();
        Assert.Equal("firing", (await rig.StatusAsync()).State);
        var bodies = new[] { (await _receiver.NextAsync()).Body, (await _receiver.NextAsync()).Body, (await _receiver.NextAsync()).Body };
        Assert.Single(bodies.Distinct());
        Assert.Contains("\"state\":\"firing\"", bodies[0], StringComparison.Ordinal);
        var failed = Assert.Single(await rig.HistoryAsync());
        Assert.Equal(("failed", 3), (failed.Delivery, failed.Attempts));
        Assert.Equal("Response status code does not indicate success: 500 (Internal Server Error).", rig.Store.DeliveryError(failed.Id));

        _receiver.Status = HttpStatusCode.OK;
        rig.FlushOrders(minute: 0, "US", count: 1);
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await rig.EvaluateAsync();

        Assert.Equal("ok", (await rig.StatusAsync()).State);
        Assert.Contains("\"state\":\"ok\"", (await _receiver.NextAsync()).Body, StringComparison.Ordinal);
        Assert.Equal("delivered", (await rig.HistoryAsync())[0].Delivery);
    }

    [Fact]
    public async Task A_webhook_that_does_not_answer_in_time_is_a_timeout()
    {
        _receiver.Delay = TimeSpan.FromSeconds(3);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Notifier(TimeSpan.FromSeconds(1)).NotifyAsync(Notification(), CancellationToken.None));

        Assert.Contains(_receiver.Url, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_url_nothing_is_sent()
    {
        await Notifier(url: string.Empty).NotifyAsync(Notification(), CancellationToken.None);

        Assert.Equal(0, _receiver.Count);
    }

    private static AlertNotification Notification() => new(
        Guid.NewGuid(), "r", null, "firing", "ok", "revenue_by_country", "orders", null, TimeSpan.FromMinutes(5), "<", 1, 0, Orders.BaseTime, Orders.BaseTime, Orders.BaseTime);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _services.DisposeAsync();
    }
}
