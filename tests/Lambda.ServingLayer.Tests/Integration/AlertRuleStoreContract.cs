using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Alerts.Storage;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>
/// What every <see cref="IAlertRuleStore"/> does, run against PostgreSQL (<see cref="PostgresAlertRuleStoreTests"/>) and
/// in memory (<see cref="Alerts.InMemoryAlertRuleStoreTests"/>), so the unit tests' store behaves like the service's.
/// </summary>
public abstract class AlertRuleStoreContract
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 30, TimeSpan.Zero);

    /// <summary>A store; two calls in one test give two views of the same data (two instances).</summary>
    protected abstract IAlertRuleStore Store();

    /// <summary>The error text stored with a delivery (kept in the store only).</summary>
    protected abstract Task<string?> DeliveryErrorAsync(IAlertRuleStore store, Guid id);

    private static AlertRuleOptions Rule(string name, double threshold = 1, params string[] groupBy) => new()
    {
        Name = name,
        View = "revenue_by_country",
        Measure = "orders",
        Where = "country != 'DE'",
        Window = TimeSpan.FromMinutes(5),
        Condition = "<",
        Threshold = threshold,
        GroupBy = groupBy,
    };

    [Fact]
    public async Task Instances_starting_together_create_the_tables_once_and_the_configured_rules_follow_the_configuration()
    {
        var (a, b) = (Store(), Store());
        await Task.WhenAll(a.EnsureSchemaAsync(CancellationToken.None), b.EnsureSchemaAsync(CancellationToken.None));

        await a.SyncConfiguredRulesAsync([Rule("kept"), Rule("dropped")], Now, CancellationToken.None);
        Assert.Equal(AlertRuleWrite.Created, await a.PutRuleAsync(Rule("from_api"), Now, CancellationToken.None));
        Assert.Equal(AlertRuleWrite.Created, await a.PutRuleAsync(Rule("taken_over"), Now, CancellationToken.None));
        await b.SyncConfiguredRulesAsync([Rule("kept", threshold: 7, "country"), Rule("taken_over")], Now.AddMinutes(1), CancellationToken.None);
        await b.SyncConfiguredRulesAsync([Rule("kept", threshold: 7, "country"), Rule("taken_over")], Now.AddMinutes(2), CancellationToken.None);

        var rules = await a.GetRulesAsync(CancellationToken.None);
        Assert.Equal(
            [("from_api", "api"), ("kept", "configuration"), ("taken_over", "configuration")],
            rules.Select(r => (r.Name, r.Source)));
        var kept = rules[1];
        Assert.Equal(
            ("revenue_by_country", "orders", null, "country != 'DE'", TimeSpan.FromMinutes(5), "<", 7.0, "country", Now.AddMinutes(1)),
            (kept.Definition.View, kept.Definition.Measure, kept.Definition.Filter, kept.Definition.Where, kept.Definition.Window, kept.Definition.Condition,
                kept.Definition.Threshold, Assert.Single(kept.Definition.GroupBy), kept.UpdatedAt));
        Assert.Equal(Now.AddMinutes(1), rules[2].UpdatedAt);
        Assert.Null(kept.LastEvaluation);
    }

    [Fact]
    public async Task The_api_writes_its_own_rules_only_and_deleting_a_rule_deletes_its_states_and_history()
    {
        var store = Store();
        await store.SyncConfiguredRulesAsync([Rule("configured")], Now, CancellationToken.None);

        Assert.Equal(AlertRuleWrite.Created, await store.PutRuleAsync(Rule("mine"), Now, CancellationToken.None));
        Assert.Equal(AlertRuleWrite.Replaced, await store.PutRuleAsync(Rule("mine", threshold: 3), Now.AddSeconds(1), CancellationToken.None));
        Assert.Equal(AlertRuleWrite.Configured, await store.PutRuleAsync(Rule("configured", threshold: 3), Now, CancellationToken.None));
        Assert.Equal(1.0, (await store.GetRuleAsync("configured", CancellationToken.None))!.Definition.Threshold);
        Assert.Equal(3.0, (await store.GetRuleAsync("mine", CancellationToken.None))!.Definition.Threshold);

        await store.SaveEvaluationAsync(
            "mine", new AlertRuleEvaluation(Now, null, Now, Now), [new AlertGroupState("mine", "", "firing", 0, Now, Now)], [], [Transition("mine", "", "firing", "ok")], CancellationToken.None);
        Assert.Equal(AlertRuleWrite.Configured, await store.DeleteRuleAsync("configured", CancellationToken.None));
        Assert.Equal(AlertRuleWrite.Replaced, await store.DeleteRuleAsync("mine", CancellationToken.None));
        Assert.Equal(AlertRuleWrite.NotFound, await store.DeleteRuleAsync("mine", CancellationToken.None));

        Assert.Null(await store.GetRuleAsync("mine", CancellationToken.None));
        Assert.Empty(await store.GetStatesAsync(CancellationToken.None));
        Assert.Empty(await store.GetHistoryAsync("mine", 10, null, null, CancellationToken.None));

        // The leader may still be evaluating a rule deleted meanwhile: its writes vanish.
        await store.SaveEvaluationAsync(
            "mine", new AlertRuleEvaluation(Now, null, Now, Now), [new AlertGroupState("mine", "", "firing", 0, Now, Now)], [], [Transition("mine", "", "firing", "ok")], CancellationToken.None);
        Assert.Empty(await store.GetStatesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task States_history_deliveries_and_silences_round_trip()
    {
        var store = Store();
        await store.SyncConfiguredRulesAsync([Rule("fraud", 5, "user_id")], Now, CancellationToken.None);
        var u1 = "{\"user_id\":\"u-1\"}";
        var u2 = "{\"user_id\":\"u-2\"}";
        var first = Transition("fraud", u1, "firing", "ok");
        var second = Transition("fraud", u2, "firing", "ok") with { Delivery = AlertDeliveryStates.Silenced, Silenced = true };
        await store.SaveEvaluationAsync(
            "fraud",
            new AlertRuleEvaluation(Now, null, Now.AddMinutes(-10), Now),
            [new AlertGroupState("fraud", u1, "firing", 6, Now, Now), new AlertGroupState("fraud", u2, "firing", 9, Now, Now)],
            [],
            [first, second],
            CancellationToken.None);
        var resolved = Transition("fraud", u1, "ok", "firing", at: Now.AddSeconds(10));
        await store.SaveEvaluationAsync(
            "fraud", new AlertRuleEvaluation(Now.AddSeconds(10), "slow", null, null), [], [u1], [resolved], CancellationToken.None);

        var states = await store.GetStatesAsync(CancellationToken.None);
        Assert.Equal(new AlertGroupState("fraud", u2, "firing", 9, Now, Now), Assert.Single(states));
        var rule = (await store.GetRuleAsync("fraud", CancellationToken.None))!;
        Assert.Equal(new AlertRuleEvaluation(Now.AddSeconds(10), "slow", null, null), rule.LastEvaluation);

        var history = await store.GetHistoryAsync("fraud", 10, null, null, CancellationToken.None);
        Assert.Equal([resolved.Id, second.Id, first.Id], history.Select(t => t.Id));
        Assert.True(history[0].Sequence > history[1].Sequence && history[1].Sequence > history[2].Sequence);
        var stored = history[2];
        Assert.Equal((u1, false, "pending", 0, null), (stored.GroupKey, stored.Silenced, stored.Delivery, stored.Attempts, stored.DeliveredAt));
        Assert.Equal("u-1", stored.Notification.Group!["user_id"]);
        Assert.Equal(first.Notification with { Group = stored.Notification.Group }, stored.Notification);
        Assert.Equal([first.Id, resolved.Id], (await store.GetPendingDeliveriesAsync(CancellationToken.None)).Select(t => t.Id));
        Assert.Equal([second.Id, first.Id], (await store.GetHistoryAsync("fraud", 10, history[0].Sequence, null, CancellationToken.None)).Select(t => t.Id));
        Assert.Equal([first.Id], (await store.GetHistoryAsync("fraud", 1, history[1].Sequence, null, CancellationToken.None)).Select(t => t.Id));
        Assert.Equal([second.Id, first.Id], (await store.GetHistoryAsync("fraud", 10, null, Now.AddSeconds(5), CancellationToken.None)).Select(t => t.Id));

        await store.RecordDeliveryAsync(first.Id, AlertDeliveryStates.Delivered, 2, Now.AddSeconds(1), null, CancellationToken.None);
        await store.RecordDeliveryAsync(resolved.Id, AlertDeliveryStates.Failed, 5, null, new string('x', 5000), CancellationToken.None);
        Assert.Empty(await store.GetPendingDeliveriesAsync(CancellationToken.None));
        var after = await store.GetHistoryAsync("fraud", 10, null, null, CancellationToken.None);
        Assert.Equal(
            [(AlertDeliveryStates.Failed, 5, (DateTimeOffset?)null), (AlertDeliveryStates.Silenced, 0, null), (AlertDeliveryStates.Delivered, 2, Now.AddSeconds(1))],
            after.Select(t => (t.Delivery, t.Attempts, t.DeliveredAt)));
        Assert.Equal(PostgresAlertRuleStore.MaxErrorLength, (await DeliveryErrorAsync(store, resolved.Id))?.Length);
        Assert.Null(await DeliveryErrorAsync(store, first.Id));

        Assert.True(await store.SetSilenceAsync("fraud", new AlertSilence(Now.AddHours(1), "maintenance"), CancellationToken.None));
        Assert.Equal(new AlertSilence(Now.AddHours(1), "maintenance"), (await store.GetRuleAsync("fraud", CancellationToken.None))!.Silence);
        Assert.True(await store.SetSilenceAsync("fraud", null, CancellationToken.None));
        Assert.Null((await store.GetRuleAsync("fraud", CancellationToken.None))!.Silence);
        Assert.False(await store.SetSilenceAsync("nope", null, CancellationToken.None));
    }

    private static AlertTransition Transition(string rule, string group, string state, string previous, DateTimeOffset? at = null)
    {
        var when = at ?? Now;
        var notification = new AlertNotification(
            Guid.CreateVersion7(when), rule, AlertGroupKey.Parse(group), state, previous, "revenue_by_country", "orders", null, TimeSpan.FromMinutes(5), "<", 1,
            state == "firing" ? 6 : 0, when.AddMinutes(-5), when, when);
        return new AlertTransition(notification.Id, 0, notification, group, false, AlertDeliveryStates.Pending, 0, null);
    }
}
