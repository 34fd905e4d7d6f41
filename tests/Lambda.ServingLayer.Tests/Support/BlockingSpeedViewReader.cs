using Lambda.ServingLayer.Querying;
using Lambda.Shared.Catalog;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>
/// A speed reader that never answers for <see cref="BlockedView"/> (it waits until its token is cancelled, as a long
/// ClickHouse read would) and answers empty for every other view; it says when a read began and when one was cancelled.
/// </summary>
internal sealed class BlockingSpeedViewReader(string blockedView) : ISpeedViewReader
{
    private int _running;

    public string BlockedView { get; } = blockedView;

    /// <summary>Set when the first read of the blocked view began.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when a read of the blocked view saw its token cancelled.</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Reads of the blocked view under way now.</summary>
    public int Running => Volatile.Read(ref _running);

    public async Task<SpeedViewRead> ReadAsync(
        ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> from, Granularity granularity, CancellationToken cancellationToken)
    {
        if (view.Name != BlockedView)
        {
            return new SpeedViewRead([], new Dictionary<int, long>());
        }

        Interlocked.Increment(ref _running);
        Entered.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable: an infinite delay ended without cancellation");
        }
        catch (OperationCanceledException)
        {
            Cancelled.TrySetResult();
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
