using Lambda.Shared.BatchViews;
using Microsoft.Extensions.Logging;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// <see cref="IPublishedBatchViewFiles"/> from the batch-view manifest (<see cref="IManifestStore"/>): the day
/// files the manifest names for every view whose published version is the catalog's current definition,
/// exactly what the serving layer reads. A dataset root other than the service's (the command line's
/// <c>--root</c>) is answered from the manifest under that root.
/// </summary>
public sealed class ManifestBatchViewFiles : IPublishedBatchViewFiles
{
    private readonly IManifestStore _manifest;
    private readonly LambdaCatalog _catalog;
    private readonly ILogger<ManifestBatchViewFiles> _logger;

    /// <summary>Creates the source.</summary>
    public ManifestBatchViewFiles(IManifestStore manifest, LambdaCatalog catalog, ILogger<ManifestBatchViewFiles> logger)
    {
        _manifest = manifest ?? throw new ArgumentNullException(nameof(manifest));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetAsync(string datasetRoot, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetRoot);
        var root = Path.GetFullPath(datasetRoot);
        var store = string.Equals(root, _manifest.Root, StringComparison.Ordinal) ? _manifest : new ManifestStore(root);
        var manifest = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (manifest is null)
        {
            _logger.LogInformation("No batch views published under {Root} yet", root);
            return result;
        }

        foreach (var (name, entry) in manifest.Views)
        {
            if (!_catalog.TryGetView(name, out var view) || !string.Equals(view.DefinitionHash, entry.DefinitionHash, StringComparison.Ordinal))
            {
                _logger.LogInformation(
                    "Batch view {View} (run {RunId}) was published for a definition the catalog no longer has; no batch_{View} view", name, entry.RunId, name);
                continue;
            }

            if (entry.Days.Count > 0)
            {
                result[name] = entry.Days.Select(d => BatchViewLayout.Resolve(store.Root, d.File)).ToArray();
            }
        }

        return result;
    }
}
