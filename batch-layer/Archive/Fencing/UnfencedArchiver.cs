namespace Lambda.BatchLayer.Archive.Fencing;

/// <summary>
/// <see cref="IArchiverFence"/> when <c>Batch:Archiver:Fencing</c> is off: no token, every write goes ahead. Enough for one
/// archiver; with several, a member paused past its session may still commit a partition another member now owns.
/// </summary>
public sealed class UnfencedArchiver : IArchiverFence
{
    private static readonly IReadOnlySet<int> None = new HashSet<int>();

    /// <inheritdoc/>
    public bool IsEnabled => false;

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, long>> TakeAsync(string group, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<int, long>>(new Dictionary<int, long>());

    /// <inheritdoc/>
    public Task<IReadOnlySet<int>> SupersededAsync(string group, IReadOnlyDictionary<int, long> tokens, CancellationToken cancellationToken) =>
        Task.FromResult(None);

    /// <inheritdoc/>
    public async Task<IReadOnlySet<int>> WriteUnderFenceAsync(
        string group, IReadOnlyDictionary<int, long> tokens, Func<IReadOnlySet<int>, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(write);
        await write(tokens.Keys.ToHashSet(), cancellationToken).ConfigureAwait(false);
        return None;
    }
}
