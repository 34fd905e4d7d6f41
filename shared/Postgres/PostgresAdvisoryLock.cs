using Npgsql;

namespace Lambda.Shared.Postgres;

/// <summary>
/// Takes a transaction-scoped PostgreSQL advisory lock (<c>pg_advisory_xact_lock</c>): it waits until no other
/// transaction holds the key and is released by the commit or rollback, also when the process dies, so a crashed holder
/// never leaves it taken.
/// </summary>
public static class PostgresAdvisoryLock
{
    /// <summary>Waits for and takes the lock <paramref name="key"/> for the rest of <paramref name="transaction"/>.</summary>
    public static async Task TakeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for and takes the lock of <paramref name="name"/> within <paramref name="keyClass"/> (the two-key form, the
    /// second key PostgreSQL's <c>hashtext</c> of the name) for the rest of <paramref name="transaction"/>: one lock per
    /// name, apart from every single-key lock.
    /// </summary>
    public static async Task TakeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int keyClass, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@class, hashtext(@name))", connection, transaction);
        command.Parameters.AddWithValue("class", keyClass);
        command.Parameters.AddWithValue("name", name);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
