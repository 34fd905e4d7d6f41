namespace Lambda.SpeedLayer.Fencing;

/// <summary>
/// The speed layer's port to where fencing tokens come from: one token per (topic, partition) each time an instance is
/// assigned a partition, larger than every token taken before by any instance (see docs/design-notes.md, "Speed-layer
/// failover and fencing").
/// </summary>
public interface IFencingTokenSource
{
    /// <summary>True when tokens are taken (SpeedLayer:Fencing); otherwise rows carry token 0 and no fence is written.</summary>
    bool IsEnabled { get; }

    /// <summary>Takes a new token for each of <paramref name="partitions"/> of <paramref name="topic"/>; empty when fencing is off.</summary>
    Task<IReadOnlyDictionary<int, long>> TakeAsync(string topic, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);
}
