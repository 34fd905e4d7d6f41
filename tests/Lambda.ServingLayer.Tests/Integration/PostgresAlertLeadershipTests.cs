using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Alerts.Leadership;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>Leadership by advisory lock against PostgreSQL, on a lock key of its own.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class PostgresAlertLeadershipTests : IAsyncLifetime
{
    private readonly long _key = Random.Shared.NextInt64(1, long.MaxValue);
    private readonly string _connectionString = StackEndpoints.Load().PostgresConnectionString;
    private readonly List<NpgsqlDataSource> _sources = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var source in _sources)
        {
            await source.DisposeAsync();
        }
    }

    private PostgresAlertLeadership Instance()
    {
        // One data source (pool) per instance, as in separate processes.
        var source = NpgsqlDataSource.Create(_connectionString);
        _sources.Add(source);
        return new PostgresAlertLeadership(source, Options.Create(new AlertOptions { LeaderLockKey = _key }), NullLogger<PostgresAlertLeadership>.Instance);
    }

    [Fact]
    public async Task One_instance_leads_and_another_takes_over_once_it_resigns()
    {
        await using var a = Instance();
        await using var b = Instance();

        Assert.True(await a.TryLeadAsync(CancellationToken.None));
        Assert.False(await b.TryLeadAsync(CancellationToken.None));
        Assert.True(await a.TryLeadAsync(CancellationToken.None));
        Assert.Equal((true, false), (a.IsLeader, b.IsLeader));

        await a.ResignAsync(CancellationToken.None);

        Assert.True(await b.TryLeadAsync(CancellationToken.None));
        Assert.False(await a.TryLeadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task When_the_leaders_session_ends_it_stops_leading_and_another_instance_takes_over()
    {
        await using var a = Instance();
        await using var b = Instance();
        Assert.True(await a.TryLeadAsync(CancellationToken.None));

        // What a killed process amounts to for PostgreSQL: the session holding the lock ends.
        await using (var source = NpgsqlDataSource.Create(_connectionString))
        await using (var terminate = source.CreateCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = @key"))
        {
            terminate.Parameters.AddWithValue("key", _key);
            Assert.Equal(1L, await terminate.ExecuteScalarAsync());
        }

        // The backend exits shortly after the signal; the lock goes with it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await b.TryLeadAsync(CancellationToken.None))
        {
            Assert.True(DateTime.UtcNow < deadline, "the lock was not released within 10 s of the session's end");
            await Task.Delay(50);
        }

        Assert.False(await a.TryLeadAsync(CancellationToken.None));
        Assert.False(a.IsLeader);
    }
}
