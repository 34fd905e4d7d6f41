extern alias speedlayer;

using Lambda.BatchLayer.Retention;
using Lambda.BatchLayer.SpeedTables;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using speedlayer::Lambda.SpeedLayer.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.BatchLayer.Tests.Retention;

/// <summary>Dropping the speed deltas a batch view covers, on ClickHouse 18.16, only once its manifest has been current for the grace period.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class SpeedDeltaRetentionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Published = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    private readonly ClickHouseTestDatabase _clickHouse = new(prefix: "batch_test");
    private readonly FakeTimeProvider _time = new(Published);
    private readonly ViewDefinition _view = TestCatalogs.RevenueByCountry;
    private ClickHouseSpeedTableWriter _store = null!;

    public async Task InitializeAsync()
    {
        await _clickHouse.InitializeAsync();
        _store = new ClickHouseSpeedTableWriter(_clickHouse.Client, NullLogger<ClickHouseSpeedTableWriter>.Instance);
        await _store.EnsureSchemaAsync([_view], CancellationToken.None);
        foreach (var (partition, first, last) in new[] { (0, 0L, 9L), (0, 10L, 19L), (0, 20L, 29L), (1, 0L, 4L), (1, 5L, 5L) })
        {
            await _store.InsertAsync(_view, [new SpeedPartitionDelta(partition, first, last, [])], DateTime.UtcNow, CancellationToken.None);
        }
    }

    public async Task DisposeAsync() => await _clickHouse.DisposeAsync();

    [Fact]
    public async Task A_manifest_current_for_the_grace_period_drops_the_deltas_below_its_watermarks_except_each_boundary_flush()
    {
        var retention = Retention(TimeSpan.FromHours(1));
        var manifest = Manifest(_view.DefinitionHash, new Dictionary<int, long> { [0] = 20, [1] = 6 });

        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, await retention.DropCoveredDeltasAsync(manifest, CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await retention.DropCoveredDeltasAsync(manifest, CancellationToken.None));

        Assert.Equal(["0:10-19", "0:20-29", "1:5-5"], await RangesAsync(expectedCount: 3));
    }

    [Fact]
    public async Task A_manifest_of_another_definition_or_disabled_retention_drops_nothing()
    {
        var covering = new Dictionary<int, long> { [0] = 30, [1] = 6 };
        _time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(0, await Retention(TimeSpan.Zero).DropCoveredDeltasAsync(Manifest("0123456789abcdef", covering), CancellationToken.None));
        Assert.Equal(0, await Retention(TimeSpan.Zero, enabled: false).DropCoveredDeltasAsync(Manifest(_view.DefinitionHash, covering), CancellationToken.None));
        Assert.Equal(0, await Retention(TimeSpan.Zero).DropCoveredDeltasAsync(null, CancellationToken.None));

        Assert.Equal(["0:0-9", "0:10-19", "0:20-29", "1:0-4", "1:5-5"], await RangesAsync(expectedCount: 5));
        Assert.Equal("0", Assert.Single(await StringsAsync($"SELECT toString(count()) FROM system.mutations WHERE database = '{_clickHouse.Client.Database}'")));
    }

    private SpeedDeltaRetention Retention(TimeSpan grace, bool enabled = true) => new(
        new ClickHouseSpeedTableMaintenance(_clickHouse.Client, NullLogger<ClickHouseSpeedTableMaintenance>.Instance),
        TestCatalogs.Default,
        Options.Create(new RetentionOptions { GracePeriod = grace, Enabled = enabled }),
        _time,
        NullLogger<SpeedDeltaRetention>.Instance);

    private BatchManifest Manifest(string definitionHash, IReadOnlyDictionary<int, long> watermarks) => new()
    {
        RunId = "run-1",
        PublishedAt = Published,
        Views = new Dictionary<string, BatchViewEntry>
        {
            [_view.Name] = new()
            {
                View = _view.Name, Source = _view.Source.Name, DefinitionHash = definitionHash, RunId = "run-1",
                ComputedAt = Published, Watermarks = watermarks, Days = [],
            },
        },
    };

    /// <summary>The stored flush ranges once the table holds <paramref name="expectedCount"/> rows (deletions are mutations, applied in the background).</summary>
    private async Task<string[]> RangesAsync(int expectedCount)
    {
        var table = ClickHouseSql.QualifiedName(_clickHouse.Client.Database, SpeedTableSchema.TableNameOf(_view));
        var sql = $"SELECT concat(toString(partition), ':', toString(first_offset), '-', toString(last_offset)) FROM {table} ORDER BY partition, first_offset";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var ranges = await StringsAsync(sql);
        while (ranges.Length != expectedCount && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            ranges = await StringsAsync(sql);
        }

        return ranges;
    }

    private async Task<string[]> StringsAsync(string sql) =>
        (await _clickHouse.Client.QueryRowsAsync(sql, null, CancellationToken.None)).Select(r => r.GetString(0)).ToArray();
}
