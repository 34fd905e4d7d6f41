using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Lambda.ServingLayer.Configuration;
using Lambda.Shared.AdHoc;
using Lambda.Shared.Batch;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lambda.ServingLayer.Admin;

/// <summary>
/// Enqueues <see cref="IRecomputeJob.RunAsync"/> and <see cref="IAdHocJob.RunAsync"/> on Hangfire's <c>batch</c> queue in the PostgreSQL storage the batch
/// layer's Hangfire server reads. Only the job's interface type and arguments are stored; the batch layer resolves the
/// implementation. The storage is opened on first use (it connects to PostgreSQL), so the service starts without it,
/// and opened again on a later call if PostgreSQL was away.
/// </summary>
public sealed partial class HangfireBatchJobScheduler : IBatchJobScheduler, IDisposable
{
    /// <summary>The Hangfire queue recompute jobs go to.</summary>
    public const string Queue = "batch";

    private readonly string _connectionString;
    private readonly string _schema;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger<HangfireBatchJobScheduler> _logger;
    private IBackgroundJobClient? _client;

    /// <summary>Creates the scheduler over <c>ConnectionStrings:Postgres</c> and <see cref="ServingOptions.HangfireSchema"/>.</summary>
    public HangfireBatchJobScheduler(IConfiguration configuration, IOptions<ServingOptions> options, ILogger<HangfireBatchJobScheduler> logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        _connectionString = configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set: Hangfire's storage lives in PostgreSQL.");
        _schema = options.Value.HangfireSchema;
    }

    /// <inheritdoc/>
    public async Task<string> EnqueueRecomputeAsync(RecomputeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arguments = RecomputeArguments.Of(request);
        var mode = arguments.Mode!;
        var from = arguments.From;
        var to = arguments.To;

        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);

        // Hangfire's client API is synchronous (it writes to PostgreSQL); keep it off the request thread.
        var jobId = await Task.Run(
            () => client.Enqueue<IRecomputeJob>(Queue, job => job.RunAsync(mode, from, to, CancellationToken.None)),
            cancellationToken).ConfigureAwait(false);
        LogEnqueued(_logger, jobId, mode, from, to);
        return jobId;
    }

    /// <inheritdoc/>
    public async Task<string> EnqueueAdHocJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        var id = jobId.ToString("D");
        return await Task.Run(
            () => client.Enqueue<IAdHocJob>(Queue, job => job.RunAsync(id, CancellationToken.None)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();

    private async Task<IBackgroundJobClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _client) is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is { } created)
            {
                return created;
            }

            // Fail fast while PostgreSQL is away: Hangfire.PostgreSql's schema preparation retries for about 30 s
            // (measured) before giving up, and would hold the request that long.
            await using (var connection = new NpgsqlConnection(_connectionString))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            }

            var storage = await Task.Run(
                () =>
                {
                    var storageOptions = new PostgreSqlStorageOptions { SchemaName = _schema, PrepareSchemaIfNecessary = true };
                    return new PostgreSqlStorage(new NpgsqlConnectionFactory(_connectionString, storageOptions), storageOptions);
                },
                cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _client, new BackgroundJobClient(storage));
            return _client;
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Enqueued recompute job {JobId}: mode {Mode}, from {From}, to {To}")]
    private static partial void LogEnqueued(ILogger logger, string jobId, string mode, string? from, string? to);
}
