using System.Security.Cryptography;
using Lambda.Shared.Postgres;
using Lambda.Testing;
using Npgsql;

namespace Lambda.Shared.Tests.Postgres;

/// <summary>
/// The transaction-scoped advisory lock on the stack's PostgreSQL: a second taker waits (PostgreSQL lists it as waiting
/// in <c>pg_locks</c>) until the holder commits or its connection dies. Advisory locks are database-wide, so every
/// test uses random keys.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class PostgresAdvisoryLockTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private PostgresTestSchema _schema = null!;

    public async Task InitializeAsync() => _schema = await PostgresTestSchema.CreateAsync("it_advisory");

    public async Task DisposeAsync() => await _schema.DisposeAsync();

    [Fact]
    public async Task A_second_taker_of_a_key_waits_until_the_holder_commits()
    {
        var key = RandomNumberGenerator.GetInt32(int.MaxValue) * 4096L + 1;
        await using var holder = await _schema.DataSource.OpenConnectionAsync();
        await using var held = await holder.BeginTransactionAsync();
        await PostgresAdvisoryLock.TakeAsync(holder, held, key, CancellationToken.None);

        await using var waiter = await _schema.DataSource.OpenConnectionAsync();
        await using var waiting = await waiter.BeginTransactionAsync();
        var take = PostgresAdvisoryLock.TakeAsync(waiter, waiting, key, CancellationToken.None);
        await WaitUntilBlockedAsync(waiter.ProcessID);

        Assert.False(take.IsCompleted);
        await held.CommitAsync();
        await take.WaitAsync(Patience);
    }

    [Fact]
    public async Task The_lock_of_a_holder_whose_connection_dies_before_its_commit_is_released()
    {
        var key = RandomNumberGenerator.GetInt32(int.MaxValue) * 4096L + 2;
        var holder = await _schema.DataSource.OpenConnectionAsync();
        var held = await holder.BeginTransactionAsync();
        await PostgresAdvisoryLock.TakeAsync(holder, held, key, CancellationToken.None);

        await using var waiter = await _schema.DataSource.OpenConnectionAsync();
        await using var waiting = await waiter.BeginTransactionAsync();
        var take = PostgresAdvisoryLock.TakeAsync(waiter, waiting, key, CancellationToken.None);
        await WaitUntilBlockedAsync(waiter.ProcessID);
        await using (var kill = _schema.DataSource.CreateCommand("SELECT pg_terminate_backend(@pid)"))
        {
            kill.Parameters.AddWithValue("pid", holder.ProcessID);
            await kill.ExecuteNonQueryAsync();
        }

        await take.WaitAsync(Patience);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => held.CommitAsync());
        await holder.DisposeAsync();
    }

    [Fact]
    public async Task Names_in_one_class_lock_apart_and_the_same_name_waits()
    {
        var keyClass = RandomNumberGenerator.GetInt32(int.MaxValue);
        await using var holder = await _schema.DataSource.OpenConnectionAsync();
        await using var held = await holder.BeginTransactionAsync();
        await PostgresAdvisoryLock.TakeAsync(holder, held, keyClass, "fx", CancellationToken.None);

        await using var other = await _schema.DataSource.OpenConnectionAsync();
        await using (var otherTransaction = await other.BeginTransactionAsync())
        {
            await PostgresAdvisoryLock.TakeAsync(other, otherTransaction, keyClass, "country", CancellationToken.None).WaitAsync(Patience);
            await otherTransaction.CommitAsync();
        }

        await using var waiter = await _schema.DataSource.OpenConnectionAsync();
        await using var waiting = await waiter.BeginTransactionAsync();
        var take = PostgresAdvisoryLock.TakeAsync(waiter, waiting, keyClass, "fx", CancellationToken.None);
        await WaitUntilBlockedAsync(waiter.ProcessID);

        Assert.False(take.IsCompleted);
        await held.RollbackAsync();
        await take.WaitAsync(Patience);
    }

    // Polls PostgreSQL's own view of the waiter rather than sleeping: on a loaded machine the wait may start late.
    private async Task WaitUntilBlockedAsync(int pid)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            await using var command = _schema.DataSource.CreateCommand(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = @pid AND NOT granted");
            command.Parameters.AddWithValue("pid", pid);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"backend {pid} never waited for the advisory lock");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
