using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Tests.Recompute;

/// <summary>
/// A back-dated lookup publish: the next recompute redoes the published days the new rows join differently (here every
/// day: countries is unversioned), the manifest records the versions used, and nothing is counted twice.
/// </summary>
public sealed class LookupRecomputeTests : IDisposable
{
    private const string View = "revenue_by_region";
    private const int Partitions = 4;
    private readonly TestDirectory _root = new("lookup-recompute");
    private readonly LambdaCatalog _catalog = TestCatalogs.Default;
    private readonly SourceDefinition _orders = TestCatalogs.Default.GetSource("orders");
    private readonly FixedFlushBoundaries _boundaries = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_back_dated_publish_is_taken_up_by_the_next_recompute_for_every_day_below_the_watermark()
    {
        var messages = OrderDatasets.Messages(_orders, 6_000, Partitions, seed: 11);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages, perCommit: 1_000);
        var ends = MasterDatasetSnapshot.Load(_root.Path, "orders").CommittedEnds;
        _boundaries.AddEvery(View, ends.ToDictionary(e => e.Key, e => e.Value / 500 * 500), 500);
        var store = new FileLookupStore(_root.Path, TimeProvider.System);
        var countries = _catalog.Lookups.Single(l => l.Name == "countries");
        var first = new Dictionary<string, string> { ["US"] = "na", ["DE"] = "eu", ["FR"] = "eu", ["GB"] = "eu", ["JP"] = "asia", ["BR"] = "sa", ["IN"] = "asia" };
        await store.PublishAsync(countries, Rows(countries, first), default);

        var run1 = await Engine(store).RunAsync(new RecomputeRequest { Views = [View] }, null, default);
        var entry1 = (await Manifests.LoadAsync(default))!.FindView(View)!;
        Assert.Equal(new Dictionary<string, long> { ["countries"] = 1 }, entry1.Lookups);
        Assert.Equal(Expected(messages, entry1.Watermarks, first), await ServedAsync(entry1));
        Assert.Contains(Expected(messages, entry1.Watermarks, first), e => e.Key == "(null)"); // NL has no row: on_missing null

        // Back-dated: DE moves to another region for all time; NL gets a row.
        var second = new Dictionary<string, string>(first) { ["DE"] = "dach", ["NL"] = "eu" };
        await store.PublishAsync(countries, Rows(countries, second), default);
        var current = await store.ReadSnapshotAsync(_catalog, default);
        var redo = await LookupRedo.DaysAsync(_catalog.GetView(View), entry1, current, store, default);
        Assert.Equal(entry1.Days.Select(d => d.Day), redo);

        var run2 = await Engine(store).RunAsync(new RecomputeRequest { Views = [View] }, null, default);
        var entry2 = (await Manifests.LoadAsync(default))!.FindView(View)!;
        Assert.False(run2.NothingToDo);
        Assert.Equal(entry1.Days.Select(d => d.Day), run2.Days.Select(d => d.Day).Order());
        Assert.Equal(new Dictionary<string, long> { ["countries"] = 2 }, entry2.Lookups);
        Assert.Equal(entry1.Watermarks.OrderBy(w => w.Key), entry2.Watermarks.OrderBy(w => w.Key));
        Assert.Equal(Expected(messages, entry2.Watermarks, second), await ServedAsync(entry2));
        Assert.Empty(await LookupRedo.DaysAsync(_catalog.GetView(View), entry2, current, store, default));

        // Nothing changed since: nothing to redo.
        Assert.True((await Engine(store).RunAsync(new RecomputeRequest { Views = [View] }, null, default)).NothingToDo);
        Assert.False(run1.NothingToDo);
    }

    private ManifestStore Manifests => new(_root.Path);

    private static List<LookupRow> Rows(LookupDefinition countries, Dictionary<string, string> regions) =>
        LookupRowsReader.FromCsv(countries, "country,region,currency\n" + string.Concat(regions.Select(r => $"{r.Key},{r.Value},XXX\n"))).ToList();

    private RecomputeEngine Engine(ILookupReader lookups) => new(
        _catalog,
        Options.Create(new BatchStorageOptions { DatasetRoot = _root.Path }),
        Options.Create(new RecomputeOptions { MaxDegreeOfParallelism = 2 }),
        _boundaries,
        Manifests,
        new BatchViewWriter(),
        NullLogger<RecomputeEngine>.Instance,
        TimeProvider.System,
        lookups: lookups);

    /// <summary>The oracle: paid orders below the watermark per region, joined here with the test's own map (not the kernel's join).</summary>
    private SortedDictionary<string, long> Expected(IEnumerable<OrderMessage> messages, IReadOnlyDictionary<int, long> watermarks, Dictionary<string, string> regions)
    {
        var country = _orders.GetField("country").Ordinal;
        var status = _orders.GetField("status").Ordinal;
        var expected = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var m in messages.Where(m => m.Event is not null && m.Offset < (watermarks.TryGetValue(m.Partition, out var w) ? w : 0)))
        {
            if (m.Event!.GetString(status) != "paid")
            {
                continue;
            }

            var region = regions.TryGetValue(m.Event.GetString(country), out var r) ? r : "(null)";
            expected[region] = expected.GetValueOrDefault(region) + 1;
        }

        return expected;
    }

    private async Task<SortedDictionary<string, long>> ServedAsync(BatchViewEntry entry)
    {
        var served = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in await BatchViewContents.ReadGroupsAsync(new BatchViewReader(_root.Path), entry, _catalog.GetView(View)))
        {
            var region = group.GetDimension("region");
            var key = region.IsNull ? "(null)" : region.AsString();
            served[key] = served.GetValueOrDefault(key) + group.GetValue("orders").AsLong();
        }

        return served;
    }
}
