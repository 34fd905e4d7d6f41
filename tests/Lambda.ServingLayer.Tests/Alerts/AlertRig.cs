using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Alerts.Api;
using Lambda.ServingLayer.Alerts.Delivery;
using Lambda.ServingLayer.Alerts.Storage;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Alerts;

/// <summary>
/// An <see cref="AlertMonitor"/> over in-memory batch and speed stores and an <see cref="InMemoryAlertRuleStore"/>, on a fake
/// clock that starts at 10:00:30 (Orders.BaseTime + 30 s). Notifications reach the notifier through
/// <see cref="DeliverPendingAsync"/> (the delivery service's own loop is not running).
/// </summary>
internal sealed class AlertRig
{
    private long _nextOffset;

    public AlertRig(IAlertNotifier notifier, params AlertRuleOptions[] rules)
        : this(notifier, new AlertOptions { Rules = rules, WebhookUrl = "http://127.0.0.1:9/hooks", WebhookAttempts = 3, WebhookRetryBaseDelay = TimeSpan.FromMilliseconds(10) })
    {
    }

    public AlertRig(IAlertNotifier notifier, AlertOptions options)
    {
        Options = options;
        Notifier = notifier;
        Engine = new ViewQueryEngine(Batch, new SwitchableSpeedStore(this), NullLogger<ViewQueryEngine>.Instance, QueryResultSharing.None, Time);
        Store.SyncConfiguredRulesAsync(options.Rules.ToArray(), Time.GetUtcNow(), CancellationToken.None).GetAwaiter().GetResult();
        (Monitor, Deliveries) = NewLeader();
    }

    public AlertOptions Options { get; }

    public IAlertNotifier Notifier { get; }

    public InMemoryAlertRuleStore Store { get; } = new();

    public FakeBatchViewStore Batch { get; } = new();

    public FakeSpeedViewReader Speed { get; } = new();

    /// <summary>While set, every speed read fails (a stand-in for ClickHouse going away).</summary>
    public bool SpeedBroken { get; set; }

    public FakeTimeProvider Time { get; } = new(Orders.BaseTime.AddSeconds(30));

    public ViewQueryEngine Engine { get; }

    public AlertMonitor Monitor { get; }

    public AlertDeliveryService Deliveries { get; }

    /// <summary>A rule "fewer than 1 paid order in the last 5 minutes" (the development example).</summary>
    public static AlertRuleOptions OrdersStopped(string name = "orders_stopped", string? filter = null) => new()
    {
        Name = name,
        View = "revenue_by_country",
        Measure = "orders",
        Filter = filter,
        Window = TimeSpan.FromMinutes(5),
        Condition = "<",
        Threshold = 1,
    };

    /// <summary>A per-country rule "more than 2 paid orders of one country in the last 5 minutes".</summary>
    public static AlertRuleOptions BusyCountry(string name = "busy_country") => new()
    {
        Name = name,
        View = "revenue_by_country",
        Measure = "orders",
        Window = TimeSpan.FromMinutes(5),
        Condition = ">",
        Threshold = 2,
        GroupBy = ["country"],
    };

    /// <summary>Another monitor and delivery service over the same store, engine and clock: an instance that takes the lead.</summary>
    public (AlertMonitor Monitor, AlertDeliveryService Deliveries) NewLeader()
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        var deliveries = new AlertDeliveryService(Notifier, Store, options, TimeProvider.System, NullLogger<AlertDeliveryService>.Instance);
        var monitor = new AlertMonitor(Store, TestCatalogs.Default, Engine, options, Time, NullLogger<AlertMonitor>.Instance, deliveries);
        return (monitor, deliveries);
    }

    /// <summary>One evaluation round, then every pending notification delivered.</summary>
    public async Task EvaluateAsync()
    {
        await Monitor.EvaluateAllAsync(CancellationToken.None);
        await DeliverPendingAsync();
    }

    /// <summary>Delivers every transition the store holds as pending (what the delivery loop would do).</summary>
    public async Task DeliverPendingAsync()
    {
        foreach (var transition in await Store.GetPendingDeliveriesAsync(CancellationToken.None))
        {
            await Deliveries.DeliverAsync(transition, CancellationToken.None);
        }
    }

    /// <summary>Stores one speed flush of paid orders of <paramref name="country"/> at <paramref name="minute"/> minutes after 10:00 (partition 0).</summary>
    public void FlushOrders(int minute, string country, int count)
    {
        var events = Enumerable.Range(0, count)
            .Select(i => new OffsetEvent(0, _nextOffset + i, Orders.Create(minute, country, 1.00m + i, $"u{i}")))
            .ToList();
        Speed.Flush(TestCatalogs.RevenueByCountry, 0, _nextOffset, _nextOffset + count - 1, events);
        _nextOffset += count;
    }

    public async Task<AlertRuleStatus> StatusAsync(string name = "orders_stopped")
    {
        var rule = await Store.GetRuleAsync(name, CancellationToken.None) ?? throw new InvalidOperationException($"no rule {name}");
        return AlertRuleStatus.Of(rule, await Store.GetStatesAsync(CancellationToken.None), Time.GetUtcNow());
    }

    public async Task<IReadOnlyList<AlertTransition>> HistoryAsync(string name = "orders_stopped") =>
        await Store.GetHistoryAsync(name, 1000, null, null, CancellationToken.None);

    private sealed class SwitchableSpeedStore(AlertRig rig) : ISpeedViewReader
    {
        public Task<SpeedViewRead> ReadAsync(
            Lambda.Shared.Catalog.ViewDefinition view,
            ViewSelection selection,
            IReadOnlyDictionary<int, long> from,
            Lambda.Shared.Time.Granularity granularity,
            CancellationToken cancellationToken) =>
            rig.SpeedBroken
                ? Task.FromException<SpeedViewRead>(new HttpRequestException("ClickHouse is away"))
                : rig.Speed.ReadAsync(view, selection, from, granularity, cancellationToken);
    }
}
