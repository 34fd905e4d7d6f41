namespace Lambda.Shared.BatchViews;

/// <summary>Loads and atomically publishes the batch-view manifest.</summary>
public interface IManifestStore
{
    /// <summary>The absolute dataset root the manifest's relative paths resolve against.</summary>
    string Root { get; }

    /// <summary>The current manifest, or null when none has been published yet.</summary>
    /// <exception cref="InvalidDataException">The manifest is unreadable or inconsistent.</exception>
    Task<BatchManifest?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Validates <paramref name="manifest"/> (every named file exists) and replaces the current manifest with
    /// it in one atomic rename.
    /// </summary>
    /// <param name="manifest">The new manifest.</param>
    /// <param name="expectedCurrentRunId">The run id of the manifest the caller based its work on (null: none
    /// existed); a different current manifest means another run published in between, and nothing is replaced.</param>
    /// <param name="cancellationToken">Cancels before the rename.</param>
    /// <exception cref="InvalidDataException">The manifest is inconsistent or names a missing file.</exception>
    /// <exception cref="InvalidOperationException">The current manifest is not the expected one.</exception>
    Task PublishAsync(BatchManifest manifest, string? expectedCurrentRunId, CancellationToken cancellationToken);
}
