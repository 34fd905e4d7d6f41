using Lambda.Shared.ClickHouse;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>A fresh ClickHouse database for one test on the local stack's server (or a given URL), dropped on dispose.</summary>
internal sealed class ClickHouseTestDatabase : IAsyncDisposable
{
    private readonly HttpClient _http;

    private ClickHouseTestDatabase(Uri url, string name)
    {
        Url = url;
        Name = name;
        _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        Client = new ClickHouseClient(_http, new ClickHouseOptions { Url = url, Database = name, RetryBaseDelay = TimeSpan.FromMilliseconds(50) }, NullLogger<ClickHouseClient>.Instance);
    }

    public Uri Url { get; }

    public string Name { get; }

    public IClickHouseClient Client { get; }

    public static async Task<ClickHouseTestDatabase> CreateAsync(Uri? url = null)
    {
        var database = new ClickHouseTestDatabase(url ?? StackEndpoints.Load().ClickHouseUrl, $"speed_test_{Guid.NewGuid():N}"[..24]);
        await database.Client.EnsureDatabaseAsync(CancellationToken.None);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(Name)}", CancellationToken.None);
        }
        finally
        {
            _http.Dispose();
        }
    }
}
