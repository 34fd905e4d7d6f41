using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Alerts;

/// <summary>An <see cref="AlertMonitor"/> over in-memory batch and speed stores, on a fake clock that starts at 10:00:30 (Orders.BaseTime + 30 s).</summary>
internal sealed class AlertRig
{
    private long _nextOffset;

    public AlertRig(IAlertNotifier notifier, params AlertRuleOptions[] rules)
        : this(notifier, new AlertOptions { Rules = rules })
    {
    }

    public AlertRig(IAlertNotifier notifier, AlertOptions options)
    {
        Engine = new ViewQueryEngine(Batch, new SwitchableSpeedStore(this), NullLogger<ViewQueryEngine>.Instance, QueryResultSharing.None, Time);
        Monitor = new AlertMonitor(
            Options.Create(options), TestCatalogs.Default, Engine, notifier, Time, NullLogger<AlertMonitor>.Instance);
    }

    public FakeBatchViewStore Batch { get; } = new();

    public FakeSpeedViewReader Speed { get; } = new();

    /// <summary>While set, every speed read fails (a stand-in for ClickHouse going away).</summary>
    public bool SpeedBroken { get; set; }

    public FakeTimeProvider Time { get; } = new(Orders.BaseTime.AddSeconds(30));

    public ViewQueryEngine Engine { get; }

    public AlertMonitor Monitor { get; }

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

    /// <summary>Stores one speed flush of paid orders of <paramref name="country"/> at <paramref name="minute"/> minutes after 10:00 (partition 0).</summary>
    public void FlushOrders(int minute, string country, int count)
    {
        var events = Enumerable.Range(0, count)
            .Select(i => new OffsetEvent(0, _nextOffset + i, Orders.Create(minute, country, 1.00m + i, $"u{i}")))
            .ToList();
        Speed.Flush(TestCatalogs.RevenueByCountry, 0, _nextOffset, _nextOffset + count - 1, events);
        _nextOffset += count;
    }

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

    public AlertRuleStatus Status(string name = "orders_stopped") => Monitor.GetStatus(name) ?? throw new InvalidOperationException($"no rule {name}");
}
