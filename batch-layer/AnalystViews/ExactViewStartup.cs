using Lambda.BatchLayer.Loading;
using Lambda.Shared.BatchViews;
using Lambda.Shared.ClickHouse;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.AnalystViews;

/// <summary>
/// When the batch service starts, creates (or updates) the exact analyst views of the catalog and points them at the runs of
/// the current manifest, so a new view or a changed definition gets its view without waiting for the next recompute.
/// </summary>
public sealed partial class ExactViewStartup : IHostedService
{
    private readonly IExactViewPublisher _publisher;
    private readonly IManifestStore _manifests;
    private readonly BatchLoadOptions _load;
    private readonly ILogger<ExactViewStartup> _logger;

    /// <summary>Creates the starter.</summary>
    public ExactViewStartup(IExactViewPublisher publisher, IManifestStore manifests, IOptions<BatchLoadOptions> load, ILogger<ExactViewStartup> logger)
    {
        _load = load?.Value ?? throw new ArgumentNullException(nameof(load));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _manifests = manifests ?? throw new ArgumentNullException(nameof(manifests));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_load.Enabled)
        {
            return;
        }

        try
        {
            var manifest = await _manifests.LoadAsync(cancellationToken).ConfigureAwait(false);
            await _publisher.PublishAsync(manifest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ClickHouseException or HttpRequestException)
        {
            // ClickHouse being away must not keep the batch layer (archiver, recomputes) from starting; every recompute's
            // load publishes again, so the views catch up then.
            LogStartFailed(_logger, ex);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exact analyst views not updated at start; the next recompute's load does it")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);
}
