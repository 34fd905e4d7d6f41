namespace Lambda.Shared.Dataset;

/// <summary>
/// Opens the commit log of a source on the configured storage kind (registered by
/// <see cref="Storage.StorageServiceCollectionExtensions.AddLambdaStorage"/>).
/// </summary>
public interface IMasterCommitLogs
{
    /// <summary>The commit log of <paramref name="source"/>.</summary>
    IMasterCommitLog Open(string source);

    /// <summary>The sources that may have commits (each may still have none), in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListSourcesAsync(CancellationToken cancellationToken);
}
