using Lambda.Shared.ClickHouse;

namespace Lambda.Testing;

/// <summary>
/// A ClickHouse database of its own on the stack's server (or a given one) for one test, dropped on
/// dispose, so tests never see each other's tables. Create it with <see cref="CreateAsync"/>, or
/// construct it and call <see cref="InitializeAsync"/> from a test class's own lifetime.
/// </summary>
public sealed class ClickHouseTestDatabase : IAsyncDisposable
{
    private readonly List<HttpClient> _httpClients = [];

    /// <summary>Names the database <c>&lt;prefix&gt;_&lt;random&gt;</c> on <paramref name="url"/> (default: the local stack's).</summary>
    public ClickHouseTestDatabase(Uri? url = null, string prefix = "test")
    {
        Url = url ?? StackEndpoints.Load().ClickHouseUrl;
        Name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
        Client = CreateClient(new ClickHouseOptions { Url = Url, Database = Name, RetryBaseDelay = TimeSpan.FromMilliseconds(50) });
    }

    /// <summary>The server's HTTP interface.</summary>
    public Uri Url { get; }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>A client whose default database is this one.</summary>
    public ClickHouseClient Client { get; }

    /// <summary>
    /// Another client, with options of the test's own (another database, retry policy, credentials), optionally
    /// behind a handler that watches or disturbs its requests; disposed with the database.
    /// </summary>
    /// <param name="options">The client's options; nothing ties them to this database.</param>
    /// <param name="wrap">Puts handlers of the test's own in front of the real socket handler.</param>
    public ClickHouseClient CreateClient(ClickHouseOptions options, Func<HttpMessageHandler, HttpMessageHandler>? wrap = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The socket settings the services' own registration takes from the options.
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

    /// <summary>Creates and initialises a database.</summary>
    public static async Task<ClickHouseTestDatabase> CreateAsync(Uri? url = null, string prefix = "test")
    {
        var database = new ClickHouseTestDatabase(url, prefix);
        await database.InitializeAsync().ConfigureAwait(false);
        return database;
    }

    /// <summary>Creates the database on the server.</summary>
    public Task InitializeAsync() => Client.EnsureDatabaseAsync(CancellationToken.None);

    /// <summary>Runs a query that returns one unsigned count.</summary>
    public Task<ulong> CountAsync(string sql) => Client.QueryScalarAsync<ulong>(sql, CancellationToken.None);

    /// <summary>Drops the database.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.ExecuteAsync(
                "DROP DATABASE IF EXISTS " + ClickHouseSql.QuoteIdentifier(Name),
                new ClickHouseCallOptions { Database = "system" },
                CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            lock (_httpClients)
            {
                _httpClients.ForEach(http => http.Dispose());
            }
        }
    }
}
