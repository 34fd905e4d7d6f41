using Npgsql;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// A transaction of <see cref="PostgresRecomputeChunkStore"/> over chunks a worker holds (their rows locked): renewing or
/// completing several chunks is all or nothing. Disposing without <see cref="CommitAsync"/> rolls back.
/// </summary>
internal sealed class HeldChunks(NpgsqlConnection connection, NpgsqlTransaction transaction, string runId, int[] numbers) : IAsyncDisposable
{
    public async Task ExecuteAsync(string sql, Action<NpgsqlParameterCollection> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> ScalarAsync(string sql, Action<NpgsqlParameterCollection> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, parameters);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync().ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private NpgsqlCommand Command(string sql, Action<NpgsqlParameterCollection> parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("numbers", numbers);
        parameters(command.Parameters);
        return command;
    }
}
