using Lambda.ServingLayer.Alerts.Storage;
using Lambda.ServingLayer.Tests.Integration;

namespace Lambda.ServingLayer.Tests.Alerts;

/// <summary>The in-memory alert store, held to the same contract.</summary>
public sealed class InMemoryAlertRuleStoreTests : AlertRuleStoreContract
{
    private readonly InMemoryAlertRuleStore _store = new();

    protected override IAlertRuleStore Store() => _store;

    protected override Task<string?> DeliveryErrorAsync(IAlertRuleStore store, Guid id) => Task.FromResult(_store.DeliveryError(id));
}
