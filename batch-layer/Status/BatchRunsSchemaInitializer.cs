using Lambda.Shared.Batch;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Status;

/// <summary>
/// Creates <c>batch_runs</c> when the service starts, so the serving layer's status endpoint finds the
/// table before the first recompute. A failure is logged, not fatal: the store creates the tables
/// again before its first write.
/// </summary>
public sealed class BatchRunsSchemaInitializer : IHostedService
{
    private readonly IBatchRunStore _store;
    private readonly ILogger<BatchRunsSchemaInitializer> _logger;

    /// <summary>Creates the initializer.</summary>
    public BatchRunsSchemaInitializer(IBatchRunStore store, ILogger<BatchRunsSchemaInitializer> logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            _logger.LogError(ex, "Could not create batch_runs in PostgreSQL; it will be created before the first run");
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
