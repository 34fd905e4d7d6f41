using Lambda.BatchLayer.Loading;
using Lambda.BatchLayer.Scheduling;
using Lambda.Shared.BatchViews;
using Lambda.Shared.ClickHouse;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.AnalystViews;

/// <summary>
/// When the batch service starts, creates (or updates) the exact analyst views of the catalog and points them at the runs of
/// the current manifest, so a new view or a changed definition gets its view without waiting for the next recompute. It runs
/// while the host starts (so it never outlives a host that failed to start or was stopped) and gives up, with a warning,
/// when ClickHouse or PostgreSQL fails or a recompute holds the lock: that recompute's load publishes anyway.
/// </summary>
public sealed partial class ExactViewStartup : IHostedService
{
    /// <summary>How long the start waits for the recompute lock; a recompute holding it longer publishes the views itself.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(5);

    private readonly IExactViewPublisher _publisher;
    private readonly IManifestStore _manifests;
    private readonly BatchLoadOptions _load;
    private readonly IRecomputeLock _lock;
    private readonly ILogger<ExactViewStartup> _logger;

    /// <summary>Creates the starter.</summary>
    public ExactViewStartup(
        IExactViewPublisher publisher,
        IManifestStore manifests,
        IRecomputeLock recomputeLock,
        IOptions<BatchLoadOptions> load,
        ILogger<ExactViewStartup> logger)
    {
        _lock = recomputeLock ?? throw new ArgumentNullException(nameof(recomputeLock));
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
            // Under the recompute lock, as a recompute's load publishes: another instance's load must not be between loading
            // a run's days and moving the pointer while this one drops the days it does not know yet.
            await using (await _lock.AcquireAsync(LockWait, cancellationToken).ConfigureAwait(false))
            {
                var manifest = await _manifests.LoadAsync(cancellationToken).ConfigureAwait(false);
                await _publisher.PublishAsync(manifest, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ClickHouseException or HttpRequestException or RecomputeLockTimeoutException or Npgsql.NpgsqlException)
        {
            // ClickHouse or PostgreSQL being away (or a long recompute holding the lock) must not stop the batch service; every recompute's
            // load publishes again, so the views catch up then.
            LogStartFailed(_logger, ex);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exact analyst views not updated at start; the next recompute's load does it")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);
}
