using Lambda.Shared.ClickHouse;
using Lambda.Testing;

namespace Lambda.IntegrationTests.ClickHouse;

/// <summary>
/// A database of its own on the stack's ClickHouse (LAMBDA_CLICKHOUSE_URL) for one test class,
/// dropped afterwards, so test classes never see each other's tables; its clients retry quickly.
/// </summary>
public sealed class ClickHouseFixture : IAsyncLifetime
{
    private readonly ClickHouseTestDatabase _database = new(prefix: "it_ch");

    public ClickHouseFixture()
    {
        Client = CreateClient(Options());
    }

    public Uri Url => _database.Url;

    public string Database => _database.Name;

    /// <summary>A client of this database with the options of <see cref="Options"/>.</summary>
    public ClickHouseClient Client { get; }

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
    public ClickHouseClient CreateClient(ClickHouseOptions options, Func<HttpMessageHandler, HttpMessageHandler>? wrap = null) =>
        _database.CreateClient(options, wrap);

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();
}
