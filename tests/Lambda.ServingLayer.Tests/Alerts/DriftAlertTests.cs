using System.Text.Json;
using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Alerts.Api;
using Lambda.ServingLayer.Alerts.Delivery;
using Lambda.ServingLayer.Alerts.Storage;
using Lambda.ServingLayer.Drift;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Alerts;

/// <summary>The built-in alert kind <c>drift</c>: fires for a view while its last completed drift audit found differences.</summary>
public sealed class DriftAlertTests
{
    private readonly RecordingNotifier _notifier = new();
    private readonly FakeDriftReportStore _drift = new();
    private readonly InMemoryAlertRuleStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero));

    private async Task<(AlertMonitor Monitor, AlertDeliveryService Deliveries)> MonitorAsync(params AlertRuleOptions[] rules)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AlertOptions { Rules = rules, WebhookUrl = "http://127.0.0.1:9/hooks" });
        await _store.SyncConfiguredRulesAsync(rules, _time.GetUtcNow(), CancellationToken.None);
        var engine = new ViewQueryEngine(new FakeBatchViewStore(), new FakeSpeedViewReader(), NullLogger<ViewQueryEngine>.Instance, QueryResultSharing.None, _time);
        var deliveries = new AlertDeliveryService(_notifier, _store, options, TimeProvider.System, NullLogger<AlertDeliveryService>.Instance);
        return (new AlertMonitor(_store, TestCatalogs.Default, engine, options, _time, NullLogger<AlertMonitor>.Instance, deliveries, drift: _drift), deliveries);
    }

    private async Task EvaluateAsync(AlertMonitor monitor, AlertDeliveryService deliveries)
    {
        await monitor.EvaluateAllAsync(CancellationToken.None);
        foreach (var transition in await _store.GetPendingDeliveriesAsync(CancellationToken.None))
        {
            await deliveries.DeliverAsync(transition, CancellationToken.None);
        }
    }

    private void Audit(string view, string outcome, int differences)
    {
        _time.Advance(TimeSpan.FromMinutes(1));
        _drift.Audits.Add(new DriftAuditRecord(
            Guid.CreateVersion7(), $"run-{_drift.Audits.Count}", view, "hash", JsonDocument.Parse("{}").RootElement.Clone(), outcome, differences, 1, 1, null, null, _time.GetUtcNow().UtcDateTime));
    }

    [Fact]
    public async Task A_rule_over_every_view_fires_per_view_on_differences_and_resolves_on_a_clean_audit()
    {
        var (monitor, deliveries) = await MonitorAsync(new AlertRuleOptions { Name = "drift", Kind = "drift" });
        Audit("revenue_by_country", "clean", 0);
        await EvaluateAsync(monitor, deliveries);
        Assert.Empty(_notifier.Attempts);

        Audit("revenue_by_country", "drift", 2);
        await EvaluateAsync(monitor, deliveries);
        var firing = Assert.Single(_notifier.Attempts);
        Assert.Equal(
            ("drift", "firing", "revenue_by_country", "drift_differences", 2.0),
            (firing.Rule, firing.State, firing.View, firing.Measure, firing.Value));
        Assert.Equal("revenue_by_country", firing.Group!["view"]);
        var status = AlertRuleStatus.Of((await _store.GetRuleAsync("drift", CancellationToken.None))!, await _store.GetStatesAsync(CancellationToken.None), _time.GetUtcNow());
        Assert.Equal(("firing", 1, "drift"), (status.State, status.FiringGroups, status.Kind));
        Assert.Equal("revenue_by_country", Assert.Single(status.Groups).Group["view"]);

        // A failed audit says nothing: the view keeps firing; the next clean one resolves it.
        Audit("revenue_by_country", "failed", 0);
        await EvaluateAsync(monitor, deliveries);
        Assert.Single(_notifier.Attempts);
        Audit("revenue_by_country", "clean", 0);
        await EvaluateAsync(monitor, deliveries);
        Assert.Equal(["firing", "ok"], _notifier.Attempts.Select(a => a.State));
    }

    [Fact]
    public async Task A_rule_of_one_view_watches_only_that_view()
    {
        var (monitor, deliveries) = await MonitorAsync(new AlertRuleOptions { Name = "revenue_drift", Kind = "drift", View = "revenue_by_country" });
        Audit("orders_by_status", "drift", 5);
        await EvaluateAsync(monitor, deliveries);
        Assert.Empty(_notifier.Attempts);

        Audit("revenue_by_country", "drift", 1);
        await EvaluateAsync(monitor, deliveries);
        var firing = Assert.Single(_notifier.Attempts);
        Assert.Equal(("revenue_by_country", null, 1.0), (firing.View, firing.Group, firing.Value));
    }

    [Theory]
    [InlineData("weird", null, null, "Kind")]
    [InlineData("drift", "nope", null, "View")]
    [InlineData("drift", null, "orders", "Measure")]
    public void Bad_drift_rules_are_refused_naming_the_member(string kind, string? view, string? measure, string member)
    {
        var errors = new List<string>();
        var rule = new AlertRuleOptions { Name = "d", Kind = kind, View = view ?? string.Empty, Measure = measure ?? string.Empty };

        Assert.Null(AlertRuleCompiler.TryCompile(rule, TestCatalogs.Default, (m, t) => errors.Add(m + t)));
        Assert.StartsWith(member, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_drift_rule_compiles_with_a_name_and_an_optional_view()
    {
        var errors = new List<string>();

        var every = AlertRuleCompiler.TryCompileDrift(new AlertRuleOptions { Name = "d", Kind = "drift" }, TestCatalogs.Default, (m, t) => errors.Add(m + t));
        var one = AlertRuleCompiler.TryCompileDrift(new AlertRuleOptions { Name = "e", Kind = "drift", View = "revenue_by_country" }, TestCatalogs.Default, (m, t) => errors.Add(m + t));

        Assert.Empty(errors);
        Assert.Equal(("d", null), (every!.Name, every.View));
        Assert.Equal(("e", "revenue_by_country"), (one!.Name, one.View));
    }
}
