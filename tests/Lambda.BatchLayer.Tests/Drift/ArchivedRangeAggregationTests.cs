using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Drift;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Tests.Drift;

/// <summary>
/// The drift audit's batch side joins the lookup versions the published view was computed with: without them every
/// order of <c>revenue_by_region</c> fell into the null region, and the audit reported the speed layer's correct joins
/// as drift (seen in issue #16's soak: 1,581 "differences" in a view whose lookup never changed).
/// </summary>
public sealed class ArchivedRangeAggregationTests : IDisposable
{
    private const int Partitions = 3;
    private readonly TestDirectory _root = new("archived-range");
    private readonly LambdaCatalog _catalog = TestCatalogs.Default;
    private readonly SourceDefinition _orders = TestCatalogs.Default.GetSource("orders");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task The_archived_events_of_the_ranges_are_aggregated_with_the_published_lookup_versions()
    {
        var regions = new Dictionary<string, string> { ["US"] = "na", ["DE"] = "eu", ["FR"] = "eu", ["JP"] = "asia" };
        var (messages, lookups) = await ArchiveAsync(3_000, seed: 5, perCommit: 250, regions);
        var ranges = new Dictionary<int, SpeedOffsetRange> { [0] = new(100, 700), [1] = new(0, 1_000), [2] = new(450, 451) };

        var (groups, events) = await ArchivedRangeAggregation.AggregateAsync(
            MasterDatasetSnapshot.Load(_root.Path, "orders"), [_catalog.GetView("revenue_by_region")], ranges, lookups, default);

        var actual = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in Assert.Single(groups))
        {
            var region = group.GetDimension("region");
            var key = region.IsNull ? "(null)" : region.AsString();
            actual[key] = actual.GetValueOrDefault(key) + group.GetValue("orders").AsLong();
        }

        var (expected, inRange) = Expected(messages, ranges, regions);
        Assert.Equal(expected, actual);
        Assert.Equal(inRange, events);
        Assert.True(expected.Count(e => e.Key != "(null)") >= 3, "the oracle's data must join several regions");
    }

    [Fact]
    public async Task Views_read_together_get_the_same_groups_as_each_read_alone()
    {
        var (messages, lookups) = await ArchiveAsync(2_000, seed: 8, perCommit: 300, new Dictionary<string, string> { ["US"] = "na", ["DE"] = "eu" });
        var ranges = new Dictionary<int, SpeedOffsetRange> { [0] = new(10, 600), [1] = new(0, 400), [2] = new(200, 2_000) };
        var snapshot = MasterDatasetSnapshot.Load(_root.Path, "orders");
        var views = new[] { "revenue_by_region", "orders_by_status", "revenue_by_country", "order_amounts" }.Select(_catalog.GetView).ToArray();

        var (together, events) = await ArchivedRangeAggregation.AggregateAsync(snapshot, views, ranges, lookups, default);

        Assert.Equal(views.Length, together.Count);
        for (var i = 0; i < views.Length; i++)
        {
            var (alone, aloneEvents) = await ArchivedRangeAggregation.AggregateAsync(snapshot, [views[i]], ranges, lookups, default);
            Assert.Equal(aloneEvents, events);
            Assert.NotEmpty(together[i]);
            Assert.Empty(DriftComparer.Compare(views[i], together[i], Assert.Single(alone)));
        }

        Assert.Equal(messages.Count(m => m.Event is not null && m.Offset >= ranges[m.Partition].From && m.Offset < ranges[m.Partition].To), events);
    }

    [Fact]
    public async Task Version_zero_joins_nothing_and_an_unknown_lookup_is_refused_by_name()
    {
        var store = new FileLookupStore(_root.Path, TimeProvider.System);

        var none = await LookupSnapshots.ReadVersionsAsync(store, _catalog, new Dictionary<string, long> { ["countries"] = 0 }, "the test", default);
        var unknown = await Assert.ThrowsAsync<InvalidDataException>(() =>
            LookupSnapshots.ReadVersionsAsync(store, _catalog, new Dictionary<string, long> { ["planets"] = 1 }, "view x of run y", default));
        var missing = await Assert.ThrowsAsync<InvalidDataException>(() =>
            LookupSnapshots.ReadVersionsAsync(store, _catalog, new Dictionary<string, long> { ["countries"] = 7 }, "view x of run y", default));

        Assert.Empty(none.Tables);
        Assert.Contains("'planets'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("view x of run y", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("version 7 of lookup 'countries'", missing.Message, StringComparison.Ordinal);
    }

    /// <summary>Archives orders and publishes version 1 of <c>countries</c> with <paramref name="regions"/>; that version, read back.</summary>
    private async Task<(IReadOnlyList<OrderMessage> Messages, LookupSnapshot Lookups)> ArchiveAsync(int count, int seed, int perCommit, Dictionary<string, string> regions)
    {
        var messages = OrderDatasets.Messages(_orders, count, Partitions, seed);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages, perCommit);
        var store = new FileLookupStore(_root.Path, TimeProvider.System);
        var countries = _catalog.Lookups.Single(l => l.Name == "countries");
        await store.PublishAsync(countries, LookupRowsReader.FromCsv(countries, "country,region,currency\n" + string.Concat(regions.Select(r => $"{r.Key},{r.Value},XXX\n"))).ToList(), default);
        return (messages, await LookupSnapshots.ReadVersionsAsync(store, _catalog, new Dictionary<string, long> { ["countries"] = 1 }, "the test", default));
    }

    /// <summary>The oracle: paid orders in the ranges per region, joined with the test's own map (not the kernel's join).</summary>
    private (SortedDictionary<string, long> Regions, long InRange) Expected(
        IEnumerable<OrderMessage> messages, Dictionary<int, SpeedOffsetRange> ranges, Dictionary<string, string> regions)
    {
        var country = _orders.GetField("country").Ordinal;
        var status = _orders.GetField("status").Ordinal;
        var expected = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long inRange = 0;
        foreach (var m in messages.Where(m => m.Event is not null && m.Offset >= ranges[m.Partition].From && m.Offset < ranges[m.Partition].To))
        {
            inRange++;
            if (m.Event!.GetString(status) != "paid")
            {
                continue;
            }

            var region = regions.TryGetValue(m.Event.GetString(country), out var r) ? r : "(null)";
            expected[region] = expected.GetValueOrDefault(region) + 1;
        }

        return (expected, inRange);
    }
}
