using Lambda.BatchLayer.Status;
using Microsoft.Extensions.Logging;
using Npgsql;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// <see cref="IPublishedBatchViewFiles"/> from <c>batch_run_days</c>: for every (view, day) of the
/// view's current definition, the file of the newest run that published it. When PostgreSQL cannot be
/// reached it answers with no batch views (and a warning), so ad hoc SQL over the master dataset
/// still works offline.
/// </summary>
public sealed class RunHistoryBatchViewFiles : IPublishedBatchViewFiles
{
    private readonly IBatchRunStore _store;
    private readonly LambdaCatalog _catalog;
    private readonly ILogger<RunHistoryBatchViewFiles> _logger;

    /// <summary>Creates the source.</summary>
    public RunHistoryBatchViewFiles(IBatchRunStore store, LambdaCatalog catalog, ILogger<RunHistoryBatchViewFiles> logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetAsync(string datasetRoot, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetRoot);
        IReadOnlyList<BatchRunDay> days;
        try
        {
            days = await _store.GetLatestDaysAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            _logger.LogWarning(ex, "The run history in PostgreSQL is not reachable; batch_<view> tables are not available");
            return new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        }

        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var group in days.GroupBy(d => d.View, StringComparer.Ordinal))
        {
            if (!_catalog.TryGetView(group.Key, out var view))
            {
                continue;
            }

            var files = group
                .Where(d => string.Equals(d.ViewHash, view.DefinitionHash, StringComparison.Ordinal))
                .OrderBy(d => d.Day)
                .Select(d => Path.IsPathRooted(d.File) ? d.File : Path.Combine(datasetRoot, d.File))
                .Where(File.Exists)
                .ToArray();
            if (files.Length > 0)
            {
                result[view.Name] = files;
            }
        }

        return result;
    }
}
