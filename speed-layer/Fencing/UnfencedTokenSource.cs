namespace Lambda.SpeedLayer.Fencing;

/// <summary><see cref="IFencingTokenSource"/> with fencing off (SpeedLayer:Fencing = false): no tokens, no fences.</summary>
public sealed class UnfencedTokenSource : IFencingTokenSource
{
    private static readonly IReadOnlyDictionary<int, long> None = new Dictionary<int, long>();

    /// <inheritdoc/>
    public bool IsEnabled => false;

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, long>> TakeAsync(string topic, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken) =>
        Task.FromResult(None);
}
