using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Alerts.Storage;
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
        var errors = new List<string>();
        var rule = AlertRuleCompiler.TryCompile(AlertRig.OrdersStopped(), TestCatalogs.Default, (m, t) => errors.Add(m + t))!;

        var range = rule.RangeAt(new DateTimeOffset(2026, 11, 25, 10, 7, 20, TimeSpan.Zero));
        var onBoundary = rule.RangeAt(new DateTimeOffset(2026, 11, 25, 10, 8, 0, TimeSpan.Zero));

        Assert.Empty(errors);
        Assert.Equal("[2026-11-25T10:03:00.000Z, 2026-11-25T10:08:00.000Z)", range.ToString());
        Assert.Equal("[2026-11-25T10:04:00.000Z, 2026-11-25T10:09:00.000Z)", onBoundary.ToString());
        Assert.Equal(QueryGranularity.All, rule.QueryAt(Orders.BaseTime).Granularity);
        Assert.Empty(rule.QueryAt(Orders.BaseTime).GroupBy);
    }

    [Fact]
    public async Task A_rule_goes_ok_firing_ok_records_each_transition_and_notifies_once_per_transition_with_its_id()
    {
        var rig = new AlertRig(_notifier, AlertRig.OrdersStopped());
        var started = rig.Time.GetUtcNow();
        rig.FlushOrders(minute: 0, "US", count: 3);

        Assert.Equal(("ok", null), ((await rig.StatusAsync()).State, (await rig.StatusAsync()).LastEvaluatedAt));

        await rig.EvaluateAsync();
        var first = await rig.StatusAsync();
        Assert.Equal(("ok", 3.0, started, started), (first.State, first.Value, first.Since, first.LastEvaluatedAt));
        Assert.Equal(Orders.BaseTime.AddMinutes(-4), first.From);
        Assert.Equal(Orders.BaseTime.AddMinutes(1), first.To);
        Assert.Empty(_notifier.Attempts);
        Assert.Empty(await rig.HistoryAsync());

        // Five minutes on, minute 0 has left the window: nothing was ordered since.
        rig.Time.Advance(TimeSpan.FromMinutes(5));
        await rig.EvaluateAsync();
        var firing = await rig.StatusAsync();
        Assert.Equal(("firing", 0.0, rig.Time.GetUtcNow(), 1), (firing.State, firing.Value, firing.Since, firing.FiringGroups));
        var notification = Assert.Single(_notifier.Attempts);
        Assert.Equal(
            ("orders_stopped", null, "firing", "ok", "revenue_by_country", "orders", null, TimeSpan.FromMinutes(5), "<", 1.0, 0.0),
            (notification.Rule, notification.Group, notification.State, notification.PreviousState, notification.View, notification.Measure, notification.Filter,
                notification.Window, notification.Condition, notification.Threshold, notification.Value));
        Assert.Equal((Orders.BaseTime.AddMinutes(1), Orders.BaseTime.AddMinutes(6), rig.Time.GetUtcNow()), (notification.From, notification.To, notification.At));

        // Still nothing: still firing, since the same instant, and no second notification.
        var firedAt = rig.Time.GetUtcNow();
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await rig.EvaluateAsync();
        Assert.Equal(("firing", firedAt), ((await rig.StatusAsync()).State, (await rig.StatusAsync()).Since));
        Assert.Equal(rig.Time.GetUtcNow(), (await rig.StatusAsync()).LastEvaluatedAt);
        Assert.Single(_notifier.Attempts);

        rig.FlushOrders(minute: 5, "DE", count: 2);
        await rig.EvaluateAsync();
        var resolved = await rig.StatusAsync();
        Assert.Equal(("ok", 2.0, rig.Time.GetUtcNow()), (resolved.State, resolved.Value, resolved.Since));
        Assert.Equal(2, _notifier.Attempts.Count);
        Assert.Equal(("ok", "firing", 2.0), (_notifier.Attempts[1].State, _notifier.Attempts[1].PreviousState, _notifier.Attempts[1].Value));

        // The history has both, newest first, each with the id its notification carried, delivered at the first attempt.
        var history = await rig.HistoryAsync();
        Assert.Equal(["ok", "firing"], history.Select(t => t.Notification.State));
        Assert.Equal(_notifier.Attempts.Select(a => a.Id).Reverse(), history.Select(t => t.Id));
        Assert.NotEqual(history[0].Id, history[1].Id);
        Assert.All(history, t => Assert.Equal((AlertDeliveryStates.Delivered, 1, false), (t.Delivery, t.Attempts, t.Silenced)));
        Assert.True(history[0].Sequence > history[1].Sequence);
    }

    [Fact]
    public async Task Each_group_of_a_grouped_rule_fires_and_resolves_on_its_own_and_a_group_that_disappears_goes_back_to_ok()
    {
        var rig = new AlertRig(_notifier, AlertRig.BusyCountry());
        rig.FlushOrders(minute: 0, "US", count: 3);
        rig.FlushOrders(minute: 0, "DE", count: 2);
        rig.FlushOrders(minute: 3, "DE", count: 1);

        // The window is [09:56, 10:01): US 3, DE 2.
        await rig.EvaluateAsync();
        var status = await rig.StatusAsync("busy_country");
        Assert.Equal(("firing", 1, null), (status.State, status.FiringGroups, status.Value));
        var us = Assert.Single(status.Groups);
        Assert.Equal(("US", "firing", 3.0), (us.Group["country"], us.State, us.Value));
        var fired = Assert.Single(_notifier.Attempts);
        Assert.Equal(("US", "firing", 3.0), (fired.Group!["country"], fired.State, fired.Value));

        // DE crosses the threshold too: one more transition, US is not notified again.
        rig.FlushOrders(minute: 0, "DE", count: 1);
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await rig.EvaluateAsync();
        Assert.Equal(2, (await rig.StatusAsync("busy_country")).FiringGroups);
        Assert.Equal(2, _notifier.Attempts.Count);
        Assert.Equal(("DE", "firing"), (_notifier.Attempts[1].Group!["country"], _notifier.Attempts[1].State));

        // [10:01, 10:06): US has no order left in it (it disappears from the answer), DE has the one of minute 3.
        rig.Time.Advance(TimeSpan.FromMinutes(5));
        await rig.EvaluateAsync();
        var after = await rig.StatusAsync("busy_country");
        Assert.Equal(("ok", 0, null), (after.State, after.FiringGroups, after.Since));
        Assert.Equal(4, _notifier.Attempts.Count);
        var resolutions = _notifier.Attempts.Skip(2).OrderBy(a => a.Group!["country"], StringComparer.Ordinal).ToArray();
        Assert.Equal(("DE", "ok", "firing", 1.0), (resolutions[0].Group!["country"], resolutions[0].State, resolutions[0].PreviousState, resolutions[0].Value));
        Assert.Equal(("US", "ok", "firing", 0.0), (resolutions[1].Group!["country"], resolutions[1].State, resolutions[1].PreviousState, resolutions[1].Value));

        // Only firing groups are stored; the history keeps every group's transitions.
        Assert.Empty(await rig.Store.GetStatesAsync(CancellationToken.None));
        Assert.Equal(4, (await rig.HistoryAsync("busy_country")).Count);
        Assert.Equal(
            ["{\"country\":\"DE\"}", "{\"country\":\"US\"}"],
            (await rig.HistoryAsync("busy_country")).Select(t => t.GroupKey).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rules_are_read_from_the_store_every_round_so_a_rule_put_meanwhile_counts_from_the_next_round()
    {
        var rig = new AlertRig(_notifier);
        await rig.EvaluateAsync();
        Assert.Empty(_notifier.Attempts);

        Assert.Equal(AlertRuleWrite.Created, await rig.Store.PutRuleAsync(AlertRig.OrdersStopped("from_api"), rig.Time.GetUtcNow(), CancellationToken.None));
        await rig.EvaluateAsync();

        Assert.Equal(("from_api", "firing"), (Assert.Single(_notifier.Attempts).Rule, _notifier.Attempts[0].State));

        Assert.Equal(AlertRuleWrite.Replaced, await rig.Store.DeleteRuleAsync("from_api", CancellationToken.None));
        await rig.EvaluateAsync();
        Assert.Single(_notifier.Attempts);
    }

    [Fact]
    public async Task A_rule_replaced_without_its_group_by_resolves_its_firing_groups_and_keeps_one_state()
    {
        var rig = new AlertRig(_notifier);
        await rig.Store.PutRuleAsync(AlertRig.BusyCountry(), rig.Time.GetUtcNow(), CancellationToken.None);
        rig.FlushOrders(minute: 0, "US", count: 3);
        await rig.EvaluateAsync();
        Assert.Equal("US", Assert.Single(_notifier.Attempts).Group!["country"]);

        var whole = AlertRig.BusyCountry();
        await rig.Store.PutRuleAsync(
            new AlertRuleOptions { Name = whole.Name, View = whole.View, Measure = whole.Measure, Window = whole.Window, Condition = whole.Condition, Threshold = 10 },
            rig.Time.GetUtcNow(),
            CancellationToken.None);
        await rig.EvaluateAsync();

        Assert.Equal(("ok", "firing", "US"), (_notifier.Attempts[1].State, _notifier.Attempts[1].PreviousState, _notifier.Attempts[1].Group!["country"]));
        var state = Assert.Single(await rig.Store.GetStatesAsync(CancellationToken.None));
        Assert.Equal((AlertGroupKey.Whole, "ok", 3.0), (state.GroupKey, state.State, state.Value));
    }

    [Fact]
    public async Task A_silenced_rule_records_its_transitions_as_silenced_and_sends_nothing_until_the_silence_ends()
    {
        var rig = new AlertRig(_notifier, AlertRig.OrdersStopped());
        var until = rig.Time.GetUtcNow().AddMinutes(1);
        Assert.True(await rig.Store.SetSilenceAsync("orders_stopped", new AlertSilence(until, "maintenance"), CancellationToken.None));

        await rig.EvaluateAsync();

        Assert.Equal(("firing", "maintenance"), ((await rig.StatusAsync()).State, (await rig.StatusAsync()).Silence?.Reason));
        Assert.Empty(_notifier.Attempts);
        var silenced = Assert.Single(await rig.HistoryAsync());
        Assert.Equal((true, AlertDeliveryStates.Silenced, 0), (silenced.Silenced, silenced.Delivery, silenced.Attempts));

        rig.Time.Advance(TimeSpan.FromMinutes(2));
        rig.FlushOrders(minute: 2, "US", count: 1);
        await rig.EvaluateAsync();

        Assert.Null((await rig.StatusAsync()).Silence);
        Assert.Equal(("ok", false), (Assert.Single(_notifier.Attempts).State, (await rig.HistoryAsync())[0].Silenced));
    }

    [Fact]
    public async Task A_new_leader_loads_the_states_so_it_does_not_repeat_a_transition_and_sends_what_its_predecessor_left_pending()
    {
        var rig = new AlertRig(_notifier, AlertRig.OrdersStopped());
        await rig.Monitor.EvaluateAllAsync(CancellationToken.None);
        var pending = Assert.Single(await rig.Store.GetPendingDeliveriesAsync(CancellationToken.None));

        // The old leader died before it could deliver.
        var (monitor, deliveries) = rig.NewLeader();
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await monitor.EvaluateAllAsync(CancellationToken.None);

        Assert.Single(await rig.HistoryAsync());
        Assert.Equal(1, deliveries.Backlog);
        await deliveries.DeliverAsync(pending, CancellationToken.None);
        Assert.Equal(pending.Id, Assert.Single(_notifier.Attempts).Id);
        Assert.Empty(await rig.Store.GetPendingDeliveriesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_with_the_same_id_and_the_outcome_is_recorded()
    {
        var rig = new AlertRig(_notifier, AlertRig.OrdersStopped(), AlertRig.OrdersStopped("second_rule"));
        _notifier.FailNext = 2;

        await rig.EvaluateAsync();

        // The first rule's notification needed three attempts (the last succeeded); the second went through at once.
        var history = (await rig.HistoryAsync()).Concat(await rig.HistoryAsync("second_rule")).ToArray();
        Assert.Equal([(AlertDeliveryStates.Delivered, 3), (AlertDeliveryStates.Delivered, 1)], history.Select(t => (t.Delivery, t.Attempts)));
        Assert.All(history, t => Assert.NotNull(t.DeliveredAt));
        Assert.Equal(4, _notifier.Attempts.Count);
        Assert.Single(_notifier.Attempts.Take(3).Select(a => a.Id).Distinct());

        _notifier.Failing = true;
        rig.FlushOrders(minute: 0, "US", count: 1);
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await rig.EvaluateAsync();

        var failed = (await rig.HistoryAsync())[0];
        Assert.Equal(("ok", AlertDeliveryStates.Failed, 3, null), (failed.Notification.State, failed.Delivery, failed.Attempts, failed.DeliveredAt));
        Assert.Equal("webhook receiver is down", rig.Store.DeliveryError(failed.Id));
        Assert.Equal("ok", (await rig.StatusAsync()).State);
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

        await rig.EvaluateAsync();
        Assert.Equal(("ok", 1.0), ((await rig.StatusAsync("us_busy")).State, (await rig.StatusAsync("us_busy")).Value));

        rig.FlushOrders(minute: 0, "US", count: 2);
        await rig.EvaluateAsync();

        // 1.00 + (1.00 + 2.00): revenue of the three US orders.
        Assert.Equal(("firing", 4.0), ((await rig.StatusAsync("us_busy")).State, (await rig.StatusAsync("us_busy")).Value));
        Assert.Equal("country:US", Assert.Single(_notifier.Attempts).Filter);
    }

    [Fact]
    public async Task Filter_and_where_both_select_what_the_rule_measures_and_the_notification_carries_the_canonical_filter()
    {
        var rig = new AlertRig(_notifier, new AlertRuleOptions
        {
            Name = "us_only", View = "revenue_by_country", Measure = "orders", Filter = "country:US,country:DE", Where = "country != 'DE'",
            Window = TimeSpan.FromMinutes(10), Condition = ">=", Threshold = 2,
        });
        rig.FlushOrders(minute: 0, "DE", count: 5);
        rig.FlushOrders(minute: 0, "FR", count: 5);
        rig.FlushOrders(minute: 0, "US", count: 1);

        await rig.EvaluateAsync();
        Assert.Equal(("ok", 1.0), ((await rig.StatusAsync("us_only")).State, (await rig.StatusAsync("us_only")).Value));

        rig.FlushOrders(minute: 0, "US", count: 1);
        await rig.EvaluateAsync();

        Assert.Equal(("firing", 2.0), ((await rig.StatusAsync("us_only")).State, (await rig.StatusAsync("us_only")).Value));
        Assert.Equal("country IN (US, DE) AND country != 'DE'", Assert.Single(_notifier.Attempts).Filter);
    }

    [Fact]
    public async Task A_measure_without_a_value_does_not_fire()
    {
        var rig = new AlertRig(_notifier, new AlertRuleOptions
        {
            Name = "biggest_small", View = "revenue_by_country", Measure = "biggest", Window = TimeSpan.FromMinutes(5), Condition = "<", Threshold = 100,
        });

        await rig.EvaluateAsync();

        var status = await rig.StatusAsync("biggest_small");
        Assert.Equal(("ok", null), (status.State, status.Value));
        Assert.NotNull(status.LastEvaluatedAt);
    }

    [Fact]
    public async Task A_failing_query_keeps_the_state_and_records_the_error()
    {
        var rig = new AlertRig(_notifier, AlertRig.OrdersStopped());
        await rig.EvaluateAsync();
        var fired = await rig.StatusAsync();
        Assert.Equal("firing", fired.State);

        rig.SpeedBroken = true;
        rig.FlushOrders(minute: 0, "US", count: 1);
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        await rig.EvaluateAsync();

        var failed = await rig.StatusAsync();
        Assert.Equal(("firing", 0.0, fired.Since), (failed.State, failed.Value, failed.Since));
        Assert.Equal(rig.Time.GetUtcNow(), failed.LastEvaluatedAt);
        Assert.StartsWith("the evaluation failed; the error was logged with correlation id ", failed.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("ClickHouse is away", failed.LastError, StringComparison.Ordinal);
        Assert.Single(_notifier.Attempts);

        rig.SpeedBroken = false;
        await rig.EvaluateAsync();

        Assert.Equal(("ok", 1.0, null), ((await rig.StatusAsync()).State, (await rig.StatusAsync()).Value, (await rig.StatusAsync()).LastError));
        Assert.Equal(2, _notifier.Attempts.Count);
    }

    [Fact]
    public async Task A_stored_rule_that_no_longer_fits_the_catalog_reports_why_and_keeps_its_state()
    {
        var rig = new AlertRig(_notifier);
        await rig.Store.PutRuleAsync(AlertRig.OrdersStopped("orphan"), rig.Time.GetUtcNow(), CancellationToken.None);
        await rig.Store.PutRuleAsync(new AlertRuleOptions
        {
            Name = "gone_view", View = "no_such_view", Measure = "orders", Window = TimeSpan.FromMinutes(5), Condition = "<", Threshold = 1,
        }, rig.Time.GetUtcNow(), CancellationToken.None);

        await rig.EvaluateAsync();

        var status = await rig.StatusAsync("gone_view");
        Assert.Equal("ok", status.State);
        Assert.StartsWith("the rule does not fit the catalog: View 'no_such_view' is not a view of the catalog", status.LastError, StringComparison.Ordinal);
        Assert.Equal("orphan", Assert.Single(_notifier.Attempts).Rule);
    }
}
