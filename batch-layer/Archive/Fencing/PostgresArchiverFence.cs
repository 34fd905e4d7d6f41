using Lambda.BatchLayer.Status;
using Lambda.Shared.Postgres;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Lambda.BatchLayer.Archive.Fencing;

/// <summary>
/// <see cref="IArchiverFence"/> in PostgreSQL: a token is <c>nextval</c> of a sequence (monotonic across every session),
/// stored as the partition's newest in <c>archiver_fences</c> (group, partition → token, instance, time). A writer locks
/// its partitions' rows (<c>FOR UPDATE</c>), compares tokens, writes its commit records and only then ends the
/// transaction; a new owner's token replaces the row, so it waits for that transaction, and every record the old owner
/// writes after it is refused. Safe as long as PostgreSQL keeps the writer's session until the writer ends it: a session
/// ended under a frozen writer (server restart, connection killed) releases the lock while the writer may still rename.
/// </summary>
public sealed partial class PostgresArchiverFence(BatchDatabase database, ILogger<PostgresArchiverFence> logger) : IArchiverFence
{
    /// <summary>Orders the instances creating the tables ("LARFENCE").</summary>
    public const long SchemaLockKey = 0x4C_41_52_46_45_4E_43_45;

    // Per instance (one per process in the service): a test's second database gets its tables too.
    private readonly PostgresSchemaGate _schema = new(SchemaLockKey,
    [
        "CREATE SEQUENCE IF NOT EXISTS archiver_fencing_token",
        "CREATE TABLE IF NOT EXISTS archiver_fences (group_id text NOT NULL, partition integer NOT NULL, token bigint NOT NULL, "
            + "instance text NOT NULL, taken_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (group_id, partition))",
    ]);

    private readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <inheritdoc/>
    public bool IsEnabled => true;

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> TakeAsync(string group, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(partitions);
        var tokens = new Dictionary<int, long>(partitions.Count);
        if (partitions.Count == 0)
        {
            return tokens;
        }

        await _schema.EnsureAsync(database.DataSource, cancellationToken).ConfigureAwait(false);
        // In partition order, as writers lock them: two transactions never wait for each other both ways.
        await using var command = database.DataSource.CreateCommand(
            "INSERT INTO archiver_fences (group_id, partition, token, instance) "
            + "SELECT @group, p, nextval('archiver_fencing_token'), @instance FROM unnest(@partitions) AS p ORDER BY p "
            + "ON CONFLICT (group_id, partition) DO UPDATE SET token = excluded.token, instance = excluded.instance, taken_at = now() "
            + "RETURNING partition, token");
        command.Parameters.AddWithValue("group", group);
        command.Parameters.AddWithValue("instance", _instance);
        command.Parameters.AddWithValue("partitions", partitions.Order().ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tokens[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        LogTaken(logger, tokens.Count, group, tokens.Values.Min(), tokens.Values.Max());
        return tokens;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlySet<int>> SupersededAsync(string group, IReadOnlyDictionary<int, long> tokens, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0)
        {
            return new HashSet<int>();
        }

        await _schema.EnsureAsync(database.DataSource, cancellationToken).ConfigureAwait(false);
        await using var command = database.DataSource.CreateCommand(
            "SELECT partition, token FROM archiver_fences WHERE group_id = @group AND partition = ANY(@partitions)");
        return await SupersededAsync(command, group, tokens, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlySet<int>> WriteUnderFenceAsync(
        string group, IReadOnlyDictionary<int, long> tokens, Func<IReadOnlySet<int>, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(write);
        if (tokens.Count == 0)
        {
            return new HashSet<int>();
        }

        await _schema.EnsureAsync(database.DataSource, cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT partition, token FROM archiver_fences WHERE group_id = @group AND partition = ANY(@partitions) ORDER BY partition FOR UPDATE",
            connection,
            transaction);
        var superseded = await SupersededAsync(command, group, tokens, cancellationToken).ConfigureAwait(false);
        var current = tokens.Keys.Where(p => !superseded.Contains(p)).ToHashSet();
        if (current.Count > 0)
        {
            // The records are written while the rows stay locked: a new owner's token waits until they are in place.
            await write(current, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return superseded;
    }

    /// <summary>Runs <paramref name="command"/> (partition, token rows) and returns the partitions whose newest token is not ours (or that have none).</summary>
    private static async Task<IReadOnlySet<int>> SupersededAsync(
        NpgsqlCommand command, string group, IReadOnlyDictionary<int, long> tokens, CancellationToken cancellationToken)
    {
        command.Parameters.AddWithValue("group", group);
        command.Parameters.AddWithValue("partitions", tokens.Keys.Order().ToArray());
        var newest = new Dictionary<int, long>(tokens.Count);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                newest[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }

        // No row: no token was ever taken for it here (the table was emptied by hand); never write without one.
        return tokens.Where(t => !newest.TryGetValue(t.Key, out var token) || token != t.Value).Select(t => t.Key).ToHashSet();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Archiver fencing tokens {First}..{Last} taken for {Count} partition(s) of group {Group}")]
    private static partial void LogTaken(ILogger logger, int count, string group, long first, long last);
}
