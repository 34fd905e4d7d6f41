using Lambda.Shared.ClickHouse;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Loading;

/// <summary>A ClickHouse database of its own on the stack's server for one test, dropped afterwards.</summary>
public sealed class ClickHouseTestDatabase : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public Uri Url { get; } = StackEndpoints.Load().ClickHouseUrl;

    public string Database { get; } = "batch_test_" + Guid.NewGuid().ToString("N")[..12];

    public ClickHouseClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Client = new ClickHouseClient(_http, new ClickHouseOptions { Url = Url, Database = Database });
        await Client.EnsureDatabaseAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Client.ExecuteAsync(
            "DROP DATABASE IF EXISTS " + ClickHouseSql.QuoteIdentifier(Database),
            new ClickHouseCallOptions { Database = "system" },
            CancellationToken.None);
        _http.Dispose();
    }

    public Task<ulong> CountAsync(string sql) => Client.QueryScalarAsync<ulong>(sql);
}
