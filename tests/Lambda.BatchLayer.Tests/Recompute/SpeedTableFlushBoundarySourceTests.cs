using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.SpeedTables;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.BatchLayer.Tests.Recompute;

/// <summary>Flush boundaries read from a real ClickHouse speed table.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class SpeedTableFlushBoundarySourceTests : IAsyncLifetime
{
    private readonly string _database = "batch_a_" + Guid.NewGuid().ToString("N")[..12];
    private ServiceProvider _services = null!;
    private IClickHouseClient _client = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ClickHouse:Url"] = StackEndpoints.Load().ClickHouseUrl.ToString(),
            ["ClickHouse:Database"] = _database,
        }).Build();
        _services = new ServiceCollection().AddLogging().AddLambdaClickHouse(configuration.GetSection("ClickHouse")).BuildServiceProvider();
        _client = _services.GetRequiredService<IClickHouseClient>();
        await _client.EnsureDatabaseAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _client.ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(_database)}", new ClickHouseCallOptions { Database = "system" }, CancellationToken.None);
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task The_highest_boundary_at_or_below_each_limit_is_returned_per_partition()
    {
        var view = TestCatalogs.Default.GetView("revenue_by_country");
        await SpeedTables.CreateAsync(_client, view, CancellationToken.None);
        await SpeedTables.AddFlushesAsync(_client, view, 0, SpeedTables.Ranges(0, 1_000, 100), deltaRows: 3, CancellationToken.None);
        await SpeedTables.AddFlushesAsync(_client, view, 1, [(0, 41), (42, 99)], deltaRows: 0, CancellationToken.None);
        await SpeedTables.AddFlushesAsync(_client, view, 2, [(500, 599)], deltaRows: 1, CancellationToken.None);
        await SpeedTables.AddFlushesAsync(_client, view, 300, [(0, 9)], deltaRows: 1, CancellationToken.None);
        var source = new SpeedTableFlushBoundarySource(new ClickHouseSpeedTableMaintenance(_client, NullLogger<ClickHouseSpeedTableMaintenance>.Instance));

        var boundaries = await source.GetHighestBoundariesAsync(
            view,
            new Dictionary<int, long> { [0] = 750, [1] = 100, [2] = 599, [3] = 10, [300] = 10, [4] = 0 },
            CancellationToken.None);

        Assert.Equal(new Dictionary<int, long> { [0] = 700, [1] = 100, [300] = 10 }, boundaries);
    }

    [Fact]
    public async Task The_boundaries_of_several_views_read_together_are_each_views_own()
    {
        var revenue = TestCatalogs.Default.GetView("revenue_by_country");
        var status = TestCatalogs.Default.GetView("orders_by_status");
        var missing = TypeCatalogs.AllTypes.GetView("everything");
        await SpeedTables.CreateAsync(_client, revenue, CancellationToken.None);
        await SpeedTables.CreateAsync(_client, status, CancellationToken.None);
        await SpeedTables.AddFlushesAsync(_client, revenue, 0, SpeedTables.Ranges(0, 1_000, 100), deltaRows: 2, CancellationToken.None);
        await SpeedTables.AddFlushesAsync(_client, revenue, 1, [(0, 9)], deltaRows: 1, CancellationToken.None);
        await SpeedTables.AddFlushesAsync(_client, status, 0, [(0, 49), (50, 5_000_049)], deltaRows: 0, CancellationToken.None);
        await SpeedTables.AddFlushesAsync(_client, status, 1, [(0, 99)], deltaRows: 3, CancellationToken.None);
        var source = new SpeedTableFlushBoundarySource(new ClickHouseSpeedTableMaintenance(_client, NullLogger<ClickHouseSpeedTableMaintenance>.Instance));
        var limits = new Dictionary<ViewDefinition, IReadOnlyDictionary<int, long>>
        {
            [revenue] = new Dictionary<int, long> { [0] = 650, [1] = 5_000_000 },
            [status] = new Dictionary<int, long> { [0] = 5_000_049, [1] = 100, [2] = 10 },
            [missing] = new Dictionary<int, long> { [0] = 100 },
        };

        var together = await source.GetHighestBoundariesAsync(limits, CancellationToken.None);

        Assert.Equal(new Dictionary<int, long> { [0] = 600, [1] = 10 }, together[revenue]);
        Assert.Equal(new Dictionary<int, long> { [0] = 50, [1] = 100 }, together[status]);
        Assert.Empty(together[missing]);
        foreach (var (view, viewLimits) in limits)
        {
            Assert.Equal(await source.GetHighestBoundariesAsync(view, viewLimits, CancellationToken.None), together[view]);
        }
    }

    [Fact]
    public async Task A_view_without_a_speed_table_has_no_boundaries()
    {
        var view = TestCatalogs.Default.GetView("orders_by_status");
        var source = new SpeedTableFlushBoundarySource(new ClickHouseSpeedTableMaintenance(_client, NullLogger<ClickHouseSpeedTableMaintenance>.Instance));

        var boundaries = await source.GetHighestBoundariesAsync(view, new Dictionary<int, long> { [0] = 1_000 }, CancellationToken.None);

        Assert.Empty(boundaries);
    }
}
