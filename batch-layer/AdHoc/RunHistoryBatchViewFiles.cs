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
    /// <summary>How long the lookup may take before ad hoc SQL goes on without batch views.</summary>
    public static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(5);

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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LookupTimeout);
        try
        {
            days = await _store.GetLatestDaysAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _logger.LogWarning("The run history in PostgreSQL is not reachable ({Error}); no batch_<view> views this time", ex.Message);
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
