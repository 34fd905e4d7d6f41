using Lambda.Shared.Lookups;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Lookups;

/// <summary>
/// Keeps the speed layer's lookup versions current: reads every lookup at start (before the consumer runs: hosted
/// services start in order) and then polls the CURRENT pointers every <see cref="SpeedLayerOptions.LookupPollInterval"/>,
/// loading a lookup again only when its version changed. A version that cannot be read is logged and the previous one kept.
/// </summary>
public sealed partial class LookupRefresher(
    LambdaCatalog catalog, ILookupReader reader, IOptions<SpeedLayerOptions> options, ILogger<LookupRefresher> logger, TimeProvider time)
    : BackgroundService, ILookupSnapshotSource
{
    private volatile LookupSnapshot _current = LookupSnapshot.Empty;

    /// <inheritdoc/>
    public LookupSnapshot Current => _current;

    /// <inheritdoc/>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (catalog.Lookups.Count > 0)
        {
            _current = await reader.ReadSnapshotAsync(catalog, cancellationToken).ConfigureAwait(false);
            LogLoaded(logger, _current.ToString());
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the pointers once and swaps in every changed version; returns true when something changed.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        var snapshot = _current;
        var changed = false;
        foreach (var lookup in catalog.Lookups)
        {
            var version = await reader.CurrentVersionAsync(lookup.Name, cancellationToken).ConfigureAwait(false);
            var held = snapshot.TryGet(lookup.Name, out var table) ? table.Version : (long?)null;
            if (version is null || version == held)
            {
                continue;
            }

            if (await reader.ReadVersionAsync(lookup, version.Value, cancellationToken).ConfigureAwait(false) is { } next)
            {
                snapshot = snapshot.With(next);
                changed = true;
                LogNewVersion(logger, lookup.Name, next.Version, next.Rows.Count);
            }
        }

        _current = snapshot;
        return changed;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (catalog.Lookups.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.LookupPollInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
            {
                // Keep joining with the versions held; the next tick tries again.
                LogRefreshFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lookups loaded: {Versions}")]
    private static partial void LogLoaded(ILogger logger, string versions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lookup {Lookup}: joining version {Version} ({Rows} rows) from now on")]
    private static partial void LogNewVersion(ILogger logger, string lookup, long version, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lookups could not be refreshed; the versions held stay in use")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
