using Lambda.Shared.BatchViews;
using Lambda.BatchLayer.SpeedTables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Retention;

/// <summary>
/// Drops the speed deltas a published batch view covers (the architecture's "speed deltas below the watermark
/// can then be dropped"), so the speed tables hold about one batch interval of deltas instead of growing forever.
/// </summary>
/// <remarks>
/// Only the watermarks of a manifest current for at least <see cref="RetentionOptions.GracePeriod"/> are used, so no reader still holds an older batch view. The design is in <c>docs/design-notes.md</c>, "Retention".
/// </remarks>
public sealed partial class SpeedDeltaRetention
{
    private readonly ISpeedTableMaintenance _store;
    private readonly LambdaCatalog _catalog;
    private readonly RetentionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SpeedDeltaRetention> _logger;

    /// <summary>Creates the retention over the speed tables of <paramref name="store"/>.</summary>
    public SpeedDeltaRetention(ISpeedTableMaintenance store, LambdaCatalog catalog, IOptions<RetentionOptions> options, TimeProvider time, ILogger<SpeedDeltaRetention> logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Requests the deletion of the speed deltas below the watermarks of <paramref name="manifest"/>, for the views
    /// whose published definition is the catalog's, when it has been current for the grace period and retention is
    /// enabled.
    /// </summary>
    /// <returns>The number of views whose covered deltas were dropped.</returns>
    public async Task<int> DropCoveredDeltasAsync(BatchManifest? manifest, CancellationToken cancellationToken)
    {
        if (manifest is null || !_options.Enabled)
        {
            return 0;
        }

        var current = _time.GetUtcNow() - manifest.PublishedAt;
        if (current < _options.GracePeriod)
        {
            LogTooRecent(_logger, manifest.RunId, current, _options.GracePeriod);
            return 0;
        }

        var dropped = 0;
        foreach (var entry in manifest.Views.Values.OrderBy(e => e.View, StringComparer.Ordinal))
        {
            // Another definition's watermarks say nothing about the current definition's table.
            if (_catalog.TryGetView(entry.View, out var view) && string.Equals(view.DefinitionHash, entry.DefinitionHash, StringComparison.Ordinal))
            {
                await _store.DeleteCoveredDeltasAsync(view, entry.Watermarks, cancellationToken).ConfigureAwait(false);
                dropped++;
            }
        }

        LogDropped(_logger, dropped, manifest.RunId, current);
        return dropped;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Speed deltas below the watermarks of run {RunId} are kept: it has been current for {Current}, the grace period is {Grace}")]
    private static partial void LogTooRecent(ILogger logger, string runId, TimeSpan current, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropping the speed deltas of {Views} views below the watermarks of run {RunId} (current for {Current})")]
    private static partial void LogDropped(ILogger logger, int views, string runId, TimeSpan current);
}
