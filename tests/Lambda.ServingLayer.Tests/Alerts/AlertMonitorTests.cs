using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;

namespace Lambda.ServingLayer.Tests.Alerts;

public sealed class AlertMonitorTests
{
    private readonly RecordingNotifier _notifier = new();

    [Fact]
    public void The_window_ends_with_the_bucket_that_holds_now()
    {
        var rule = new AlertRig(_notifier, AlertRig.OrdersStopped()).Monitor.Rules.Single();

        var range = rule.RangeAt(new DateTimeOffset(2026, 11, 25, 10, 7, 20, TimeSpan.Zero));
        var onBoundary = rule.RangeAt(new DateTimeOffset(2026, 11, 25, 10, 8, 0, TimeSpan.Zero));

        Assert.Equal("[2026-11-25T10:03:00.000Z, 2026-11-25T10:08:00.000Z)", range.ToString());
        Assert.Equal("[2026-11-25T10:04:00.000Z, 2026-11-25T10:09:00.000Z)", onBoundary.ToString());
        Assert.Equal(QueryGranularity.All, rule.QueryAt(Orders.BaseTime).Granularity);
        Assert.Empty(rule.QueryAt(Orders.BaseTime).GroupBy);
    }

    [Fact]
    public async Task A_rule_goes_ok_firing_ok_and_notifies_once_per_transition()
    {
        var rig = new AlertRig(_notifier, AlertRig.OrdersStopped());
        var started = rig.Time.GetUtcNow();
        rig.FlushOrders(minute: 0, "US", count: 3);

        Assert.Equal("ok", rig.Status().State);
        Assert.Null(rig.Status().LastEvaluatedAt);

        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);
        var first = rig.Status();
        Assert.Equal(("ok", 3.0, started, started), (first.State, first.Value, first.Since, first.LastEvaluatedAt));
        Assert.Equal(Orders.BaseTime.AddMinutes(-4), first.From);
        Assert.Equal(Orders.BaseTime.AddMinutes(1), first.To);
        Assert.Empty(_notifier.Attempts);

        // Five minutes on, minute 0 has left the window: nothing was ordered since.
        rig.Time.Advance(TimeSpan.FromMinutes(5));
        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);
        var firing = rig.Status();
        Assert.Equal(("firing", 0.0, rig.Time.GetUtcNow()), (firing.State, firing.Value, firing.Since));
        var notification = Assert.Single(_notifier.Attempts);
        Assert.Equal(
            new AlertNotification("orders_stopped", "firing", "ok", "revenue_by_country", "orders", null, TimeSpan.FromMinutes(5), "<", 1, 0,
                Orders.BaseTime.AddMinutes(1), Orders.BaseTime.AddMinutes(6), rig.Time.GetUtcNow()),
            notification);

        // Still nothing: still firing, since the same instant, and no second notification.
        var firedAt = rig.Time.GetUtcNow();
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);
        Assert.Equal(("firing", firedAt), (rig.Status().State, rig.Status().Since));
        Assert.Equal(rig.Time.GetUtcNow(), rig.Status().LastEvaluatedAt);
        Assert.Single(_notifier.Attempts);

        rig.FlushOrders(minute: 5, "DE", count: 2);
        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);
        var resolved = rig.Status();
        Assert.Equal(("ok", 2.0, rig.Time.GetUtcNow()), (resolved.State, resolved.Value, resolved.Since));
        Assert.Equal(2, _notifier.Attempts.Count);
        Assert.Equal(("ok", "firing", 2.0), (_notifier.Attempts[1].State, _notifier.Attempts[1].PreviousState, _notifier.Attempts[1].Value));
    }

    [Fact]
    public async Task The_filter_selects_what_the_rule_measures()
    {
        var rig = new AlertRig(_notifier, new AlertRuleOptions
        {
            Name = "us_busy", View = "revenue_by_country", Measure = "revenue", Filter = "country:US", Window = TimeSpan.FromMinutes(10),
            Condition = ">=", Threshold = 3,
        });
        rig.FlushOrders(minute: 0, "DE", count: 5);
        rig.FlushOrders(minute: 0, "US", count: 1);

        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);
        Assert.Equal(("ok", 1.0), (rig.Status("us_busy").State, rig.Status("us_busy").Value));

        rig.FlushOrders(minute: 0, "US", count: 2);
        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);

        // 1.00 + (1.00 + 2.00): revenue of the three US orders.
        Assert.Equal(("firing", 4.0), (rig.Status("us_busy").State, rig.Status("us_busy").Value));
        Assert.Equal("country:US", Assert.Single(_notifier.Attempts).Filter);
    }

    [Fact]
    public async Task Filter_and_where_both_select_what_the_rule_measures_and_the_rule_reports_the_canonical_filter()
    {
        var rig = new AlertRig(_notifier, new AlertRuleOptions
        {
            Name = "us_only", View = "revenue_by_country", Measure = "orders", Filter = "country:US,country:DE", Where = "country != 'DE'",
            Window = TimeSpan.FromMinutes(10), Condition = ">=", Threshold = 2,
        });
        rig.FlushOrders(minute: 0, "DE", count: 5);
        rig.FlushOrders(minute: 0, "FR", count: 5);
        rig.FlushOrders(minute: 0, "US", count: 1);

        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);
        Assert.Equal(("ok", 1.0), (rig.Status("us_only").State, rig.Status("us_only").Value));

        rig.FlushOrders(minute: 0, "US", count: 1);
        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);

        Assert.Equal(("firing", 2.0), (rig.Status("us_only").State, rig.Status("us_only").Value));
        Assert.Equal("country IN (US, DE) AND country != 'DE'", Assert.Single(_notifier.Attempts).Filter);
    }

    [Fact]
    public async Task A_measure_without_a_value_does_not_fire()
    {
        var rig = new AlertRig(_notifier, new AlertRuleOptions
        {
            Name = "biggest_small", View = "revenue_by_country", Measure = "biggest", Window = TimeSpan.FromMinutes(5), Condition = "<", Threshold = 100,
        });

        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);

        Assert.Equal("ok", rig.Status("biggest_small").State);
        Assert.Null(rig.Status("biggest_small").Value);
        Assert.NotNull(rig.Status("biggest_small").LastEvaluatedAt);
    }

    [Fact]
    public async Task A_failing_notifier_does_not_stop_evaluation_and_the_next_transition_notifies_again()
    {
        var rig = new AlertRig(_notifier, AlertRig.OrdersStopped(), AlertRig.OrdersStopped("second_rule"));
        _notifier.Failing = true;

        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);

        // Both rules were evaluated and changed state although every notification failed.
        Assert.Equal(["firing", "firing"], rig.Monitor.GetStatuses().Select(s => s.State));
        Assert.Equal(["orders_stopped", "second_rule"], _notifier.Attempts.Select(a => a.Rule));
        Assert.All(rig.Monitor.GetStatuses(), s => Assert.Null(s.LastError));

        _notifier.Failing = false;
        rig.FlushOrders(minute: 0, "US", count: 1);
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);

        Assert.Equal(["ok", "ok"], rig.Monitor.GetStatuses().Select(s => s.State));
        Assert.Equal(4, _notifier.Attempts.Count);
        Assert.All(_notifier.Attempts.Skip(2), a => Assert.Equal("ok", a.State));
    }

    [Fact]
    public async Task A_failing_query_keeps_the_state_and_records_the_error()
    {
        var rig = new AlertRig(_notifier, AlertRig.OrdersStopped());
        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);
        var fired = rig.Status();
        Assert.Equal("firing", fired.State);

        rig.SpeedBroken = true;
        rig.FlushOrders(minute: 0, "US", count: 1);
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);

        var failed = rig.Status();
        Assert.Equal(("firing", 0.0, fired.Since, fired.From), (failed.State, failed.Value, failed.Since, failed.From));
        Assert.Equal(rig.Time.GetUtcNow(), failed.LastEvaluatedAt);
        Assert.StartsWith("the evaluation failed; the error was logged with correlation id ", failed.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("ClickHouse is away", failed.LastError, StringComparison.Ordinal);
        Assert.Single(_notifier.Attempts);

        rig.SpeedBroken = false;
        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);

        Assert.Equal(("ok", 1.0, null), (rig.Status().State, rig.Status().Value, rig.Status().LastError));
        Assert.Equal(2, _notifier.Attempts.Count);
    }
}
