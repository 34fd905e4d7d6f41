using Npgsql;

namespace Lambda.Shared.Postgres;

/// <summary>
/// Creates a store's PostgreSQL tables once per process: the statements run in one transaction under a transaction-scoped
/// advisory lock, because <c>CREATE TABLE IF NOT EXISTS</c> is not safe against itself (two instances starting together
/// can both pass the check and one then fails on the catalog's unique index). Later calls return at once.
/// </summary>
/// <param name="lockKey">The advisory lock key that orders the instances creating these tables.</param>
/// <param name="statements">Idempotent DDL, run in order.</param>
public sealed class PostgresSchemaGate(long lockKey, IReadOnlyList<string> statements)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    /// <summary>Runs the statements on <paramref name="dataSource"/> unless this gate already did; true when it ran them now.</summary>
    public async Task<bool> EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (_ready)
        {
            return false;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return false;
            }

            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await PostgresAdvisoryLock.TakeAsync(connection, transaction, lockKey, cancellationToken).ConfigureAwait(false);

            foreach (var statement in statements)
            {
                await using var command = new NpgsqlCommand(statement, connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _ready = true;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }
}
