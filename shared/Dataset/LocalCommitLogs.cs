namespace Lambda.Shared.Dataset;

/// <summary>The commit logs of <c>Storage:Kind = local</c>: <see cref="CommitLog"/> under the dataset root.</summary>
/// <param name="root">The dataset root (<c>Batch:DatasetRoot</c>).</param>
public sealed class LocalCommitLogs(string root) : IMasterCommitLogs
{
    /// <inheritdoc/>
    public IMasterCommitLog Open(string source) => new CommitLog(root, source);
}
