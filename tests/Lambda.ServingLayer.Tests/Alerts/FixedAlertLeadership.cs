using Lambda.ServingLayer.Alerts.Leadership;

namespace Lambda.ServingLayer.Tests.Alerts;

/// <summary>A leadership decided by the test: leads while <see cref="Leading"/> is set (the default).</summary>
internal sealed class FixedAlertLeadership : IAlertLeadership
{
    public bool Leading { get; set; } = true;

    public bool IsLeader { get; private set; }

    public Task<bool> TryLeadAsync(CancellationToken cancellationToken)
    {
        IsLeader = Leading;
        return Task.FromResult(IsLeader);
    }

    public Task ResignAsync(CancellationToken cancellationToken)
    {
        IsLeader = false;
        return Task.CompletedTask;
    }
}
