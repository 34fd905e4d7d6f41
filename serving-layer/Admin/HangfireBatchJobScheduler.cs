using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Lambda.ServingLayer.Configuration;
using Lambda.Shared.Batch;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Admin;

/// <summary>
/// Enqueues <see cref="IRecomputeJob.RunAsync"/> on Hangfire's <c>batch</c> queue in the PostgreSQL storage the batch
/// layer's Hangfire server reads. Only the job's interface type and arguments are stored; the batch layer resolves the
/// implementation. The storage is opened on first use (it connects to PostgreSQL), so the service starts without it.
/// </summary>
public sealed partial class HangfireBatchJobScheduler : IBatchJobScheduler
{
    /// <summary>The Hangfire queue recompute jobs go to.</summary>
    public const string Queue = "batch";

    private readonly Lazy<IBackgroundJobClient> _client;
    private readonly ILogger<HangfireBatchJobScheduler> _logger;

    /// <summary>Creates the scheduler over <c>ConnectionStrings:Postgres</c> and <see cref="ServingOptions.HangfireSchema"/>.</summary>
    public HangfireBatchJobScheduler(IConfiguration configuration, IOptions<ServingOptions> options, ILogger<HangfireBatchJobScheduler> logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        var connectionString = configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set: Hangfire's storage lives in PostgreSQL.");
        var schema = options.Value.HangfireSchema;
        _client = new Lazy<IBackgroundJobClient>(() =>
        {
            var storageOptions = new PostgreSqlStorageOptions { SchemaName = schema, PrepareSchemaIfNecessary = true };
            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
            return new BackgroundJobClient(storage);
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc/>
    public async Task<string> EnqueueRecomputeAsync(RecomputeCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var mode = command.Mode;
        var from = command.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = command.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        // Hangfire's client API is synchronous (it writes to PostgreSQL); keep it off the request thread.
        var jobId = await Task.Run(
            () => _client.Value.Enqueue<IRecomputeJob>(Queue, job => job.RunAsync(mode, from, to, CancellationToken.None)),
            cancellationToken).ConfigureAwait(false);
        LogEnqueued(_logger, jobId, mode, from, to);
        return jobId;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Enqueued recompute job {JobId}: mode {Mode}, from {From}, to {To}")]
    private static partial void LogEnqueued(ILogger logger, string jobId, string mode, string? from, string? to);
}
