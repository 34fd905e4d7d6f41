using Microsoft.Extensions.Options;
using Npgsql;

namespace Lambda.ServingLayer.Alerts.Leadership;

/// <summary>
/// Leadership by a PostgreSQL session-level advisory lock (<c>pg_try_advisory_lock(Serving:Alerts:LeaderLockKey)</c>)
/// held on one dedicated connection for as long as this instance leads. The lock ends with the session: when the leader's
/// process dies the kernel closes its socket, PostgreSQL ends the session, and the next instance to try takes the lock
/// (within <see cref="AlertOptions.LeaderRetryInterval"/>). A leader checks its connection before every round; a
/// failed check drops the connection (and with it, the lock) and the leadership.
/// </summary>
public sealed partial class PostgresAlertLeadership(
    NpgsqlDataSource dataSource, IOptions<AlertOptions> options, ILogger<PostgresAlertLeadership> logger) : IAlertLeadership, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _connection;

    /// <inheritdoc/>
    public bool IsLeader => _connection is not null;

    /// <inheritdoc/>
    public async Task<bool> TryLeadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { } held)
            {
                try
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", held);
                    await ping.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    LogLost(logger, e);
                    await DropAsync().ConfigureAwait(false);
                    return false;
                }
            }

            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
                command.Parameters.AddWithValue("key", options.Value.LeaderLockKey);
                if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                {
                    _connection = connection;
                    LogLeading(logger, options.Value.LeaderLockKey);
                    return true;
                }
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task ResignAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { } held)
            {
                try
                {
                    await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", held);
                    command.Parameters.AddWithValue("key", options.Value.LeaderLockKey);
                    await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    LogResigned(logger);
                }
                finally
                {
                    await DropAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await DropAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task DropAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;

            // A connection that may still hold the lock must not go back to the pool: close its session.
            NpgsqlConnection.ClearPool(connection);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This instance leads alert evaluation (advisory lock {Key})")]
    private static partial void LogLeading(ILogger logger, long key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the alert leader connection; another instance may take over")]
    private static partial void LogLost(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resigned the alert leadership")]
    private static partial void LogResigned(ILogger logger);
}
