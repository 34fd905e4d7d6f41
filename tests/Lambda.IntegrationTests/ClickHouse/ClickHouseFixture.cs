using Lambda.Shared.ClickHouse;
using Lambda.Testing;

namespace Lambda.IntegrationTests.ClickHouse;

/// <summary>
/// A database of its own on the stack's ClickHouse (LAMBDA_CLICKHOUSE_URL) for one test class,
/// dropped afterwards, so test classes never see each other's tables.
/// </summary>
public sealed class ClickHouseFixture : IAsyncLifetime
{
    private readonly List<HttpClient> _httpClients = [];

    public Uri Url { get; } = StackEndpoints.Load().ClickHouseUrl;

    public string Database { get; } = "it_ch_" + Guid.NewGuid().ToString("N")[..12];

    public ClickHouseClient Client { get; private set; } = null!;

    /// <summary>Options pointing at this fixture's database, with short retry delays.</summary>
    public ClickHouseOptions Options(
        Uri? url = null, string? database = null, string? password = null, int maxRetries = 3, bool compress = false) => new()
        {
            Url = url ?? Url,
            Database = database ?? Database,
            Password = password ?? "",
            MaxRetryAttempts = maxRetries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(100),
            CompressInserts = compress,
        };

    /// <summary>A client over a real socket handler, optionally behind a handler that watches requests.</summary>
    public ClickHouseClient CreateClient(ClickHouseOptions options, Func<HttpMessageHandler, HttpMessageHandler>? wrap = null)
    {
        HttpMessageHandler handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = options.PooledConnectionIdleTimeout,
        };
        var http = new HttpClient(wrap is null ? handler : wrap(handler)) { Timeout = Timeout.InfiniteTimeSpan };
        lock (_httpClients)
        {
            _httpClients.Add(http);
        }

        return new ClickHouseClient(http, options);
    }

    public async Task InitializeAsync()
    {
        Client = CreateClient(Options());
        await Client.EnsureDatabaseAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Client.ExecuteAsync(
            "DROP DATABASE IF EXISTS " + ClickHouseSql.QuoteIdentifier(Database),
            new ClickHouseCallOptions { Database = "system" },
            CancellationToken.None);
        foreach (var http in _httpClients)
        {
            http.Dispose();
        }
    }
}
