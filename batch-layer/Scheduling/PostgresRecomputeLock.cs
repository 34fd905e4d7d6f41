using Lambda.BatchLayer.Status;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// <see cref="IRecomputeLock"/> as a session-level PostgreSQL advisory lock
/// (<c>pg_try_advisory_lock(<see cref="LockKey"/>)</c>) held on a dedicated connection for the
/// whole run. PostgreSQL releases it if the process dies, so a crash never leaves it stuck.
/// Hangfire's own distributed locks (<c>DisableConcurrentExecution</c>) were not used because they
/// would not cover recomputes started in-process from the command line.
/// </summary>
public sealed class PostgresRecomputeLock : IRecomputeLock
{
    /// <summary>The advisory lock key: "LRECOMPT" as a 64-bit integer.</summary>
    public const long LockKey = 0x4C_52_45_43_4F_4D_50_54;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly BatchDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresRecomputeLock> _logger;

    /// <summary>Creates the lock over <paramref name="database"/>.</summary>
    public PostgresRecomputeLock(BatchDatabase database, TimeProvider time, ILogger<PostgresRecomputeLock> logger)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public async Task<IAsyncDisposable> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = _time.GetTimestamp();
            var poll = new ResiliencePipelineBuilder<bool> { TimeProvider = _time }
                .AddRetry(new RetryStrategyOptions<bool>
                {
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is false && _time.GetElapsedTime(started) < timeout),
                    MaxRetryAttempts = int.MaxValue,
                    BackoffType = DelayBackoffType.Constant,
                    Delay = PollInterval,
                    UseJitter = false,
                    OnRetry = args =>
                    {
                        if (args.AttemptNumber == 0)
                        {
                            _logger.LogInformation("Another recompute is running; waiting up to {Timeout} for it to finish", timeout);
                        }

                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
            if (!await poll.ExecuteAsync(async ct => await TryLockAsync(connection, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
            {
                throw new RecomputeLockTimeoutException(
                    $"Another recompute held the recompute lock (PostgreSQL advisory lock {LockKey}) for the whole wait of {timeout}; this one will be retried.");
            }

            return new Lease(connection, _logger);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", LockKey);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private sealed class Lease(NpgsqlConnection connection, ILogger logger) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            try
            {
                // A pooled connection keeps session locks until it is reset, so unlock explicitly.
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                command.Parameters.AddWithValue("key", LockKey);
                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The session is gone with the connection, and PostgreSQL dropped its locks with it.
                logger.LogWarning(ex, "Could not release the recompute lock explicitly; closing its connection releases it");
                NpgsqlConnection.ClearPool(connection);
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
