using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Xunit;

namespace Lambda.Shared.Tests.Lookups;

public sealed class LookupRedoTests : IDisposable
{
    private static readonly Lambda.Shared.Catalog.Catalog Catalog = CatalogLoader.Parse("""
        lookups:
          fx:
            key: { currency: string }
            valid_from: day
            values: { rate: "decimal(18,4)" }
        sources:
          pay:
            topic: pay
            time: ts
            fields: { currency: string, amount: "decimal(18,2)" }
            enrich:
              - { lookup: fx, key: [currency] }
            derive:
              eur: amount * rate
        views:
          eur:
            source: pay
            granularity: hour
            measures: { eur: sum(eur) }
          plain:
            source: pay
            granularity: hour
            measures: { n: count }
        """);

    private readonly string _root = Directory.CreateTempSubdirectory("lookup-redo-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static BatchViewEntry Entry(string view, long? fxVersion) => new()
    {
        View = view,
        Source = "pay",
        DefinitionHash = Catalog.GetView(view).DefinitionHash,
        RunId = "run-1",
        ComputedAt = DateTimeOffset.UnixEpoch,
        Watermarks = new Dictionary<int, long> { [0] = 100 },
        Days = Enumerable.Range(1, 5).Select(d => new BatchViewDay(new DateOnly(2026, 1, d), $"d{d}.parquet", 10, "run-1")).ToArray(),
        Lookups = fxVersion is { } v ? new Dictionary<string, long> { ["fx"] = v } : null,
    };

    [Fact]
    public async Task A_back_dated_versioned_row_redoes_only_the_days_from_its_valid_from()
    {
        var store = new FileLookupStore(_root, TimeProvider.System);
        var fx = Catalog.Lookups[0];
        await store.PublishAsync(fx, LookupRowsReader.FromCsv(fx, "currency,valid_from,rate\nUSD,2026-01-01,0.9\n"), default);
        await store.PublishAsync(fx, LookupRowsReader.FromCsv(fx, "currency,valid_from,rate\nUSD,2026-01-01,0.9\nUSD,2026-01-03,0.8\n"), default);
        var current = await store.ReadSnapshotAsync(Catalog, default);

        Assert.Equal([new DateOnly(2026, 1, 3), new DateOnly(2026, 1, 4), new DateOnly(2026, 1, 5)],
            await LookupRedo.DaysAsync(Catalog.GetView("eur"), Entry("eur", 1), current, store, default));
        Assert.True(LookupRedo.VersionsDiffer(Catalog.GetView("eur"), Entry("eur", 1), current));

        // Computed with the current version, or a view that joins no lookup: nothing to redo.
        Assert.Empty(await LookupRedo.DaysAsync(Catalog.GetView("eur"), Entry("eur", 2), current, store, default));
        Assert.Empty(await LookupRedo.DaysAsync(Catalog.GetView("plain"), Entry("plain", null), current, store, default));

        // Computed before any version existed: every day from the first row's valid_from changes.
        Assert.Equal(5, (await LookupRedo.DaysAsync(Catalog.GetView("eur"), Entry("eur", null), current, store, default)).Count);
    }
}
