namespace Lambda.Shared.Dataset;

/// <summary>The commit logs of <c>Storage:Kind = local</c>: <see cref="CommitLog"/> under the dataset root.</summary>
/// <param name="root">The dataset root (<c>Batch:DatasetRoot</c>).</param>
public sealed class LocalCommitLogs(string root) : IMasterCommitLogs
{
    /// <inheritdoc/>
    public IMasterCommitLog Open(string source) => new CommitLog(root, source);

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListSourcesAsync(CancellationToken cancellationToken)
    {
        var master = Path.Combine(root, MasterDatasetLayout.MasterDirectoryName);
        IReadOnlyList<string> sources = Directory.Exists(master)
            ? Directory.EnumerateDirectories(master).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToArray()
            : [];
        return Task.FromResult(sources);
    }
}
