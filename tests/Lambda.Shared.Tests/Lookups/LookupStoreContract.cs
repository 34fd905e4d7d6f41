using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;

namespace Lambda.Shared.Tests.Lookups;

/// <summary>
/// What every lookup store does, run against each storage kind (<see cref="FileLookupStoreContractTests"/>,
/// <see cref="ObjectStoreLookupStoreTests"/>): immutable numbered versions, the last one current, a refused publish
/// changes nothing.
/// </summary>
public abstract class LookupStoreContract
{
    protected static readonly Lambda.Shared.Catalog.Catalog Catalog = CatalogLoader.Parse("""
        lookups:
          fx:
            key: { currency: string }
            valid_from: day
            values: { rate: "decimal(18,4)", note: string }
          region:
            key: { country: string }
            values: { name: string }
        sources:
          pay: { topic: pay, time: ts, fields: { currency: string, country: string } }
        """);

    protected static LookupDefinition Fx => Catalog.Lookups.Single(l => l.Name == "fx");

    /// <summary>A store (a new instance over the same storage on every call, as another process would have).</summary>
    protected abstract Task<(ILookupReader Reader, ILookupPublisher Publisher)> OpenAsync();

    [Fact]
    public async Task Versions_are_numbered_immutable_and_the_last_is_current()
    {
        var (reader, publisher) = await OpenAsync();
        Assert.Null(await reader.CurrentVersionAsync("fx", default));
        Assert.Null(await reader.ReadVersionAsync(Fx, 1, default));
        var v1 = await publisher.PublishAsync(Fx, LookupRowsReader.FromCsv(Fx, "currency,valid_from,rate,note\nUSD,2026-01-01,0.9,\"a, b\"\n"), default);
        var v2 = await publisher.PublishAsync(Fx, LookupRowsReader.FromCsv(Fx, "currency,valid_from,rate,note\nUSD,2026-01-01,0.85,\nEUR,2026-01-01,1,x\n"), default);
        Assert.Equal((1L, 2L), (v1.Version, v2.Version));

        var (other, _) = await OpenAsync();
        Assert.Equal(2L, await other.CurrentVersionAsync("fx", default));
        var first = (await other.ReadVersionAsync(Fx, 1, default))!;
        Assert.Equal(["a, b"], first.Rows.Select(r => r.Values[1].AsString()));
        Assert.Equal(v1.PublishedAt.ToUnixTimeMilliseconds(), first.PublishedAt.ToUnixTimeMilliseconds());
        var snapshot = await other.ReadSnapshotAsync(Catalog, default);
        Assert.True(snapshot.TryGet("fx", out var current));
        Assert.Equal(2L, current.Version);
        Assert.Equal([0.85m, 1m], current.Rows.Select(r => r.Values[0].AsDecimal()).Order());
        Assert.False(snapshot.TryGet("region", out _));
    }

    [Fact]
    public async Task A_refused_publish_changes_nothing()
    {
        var (reader, publisher) = await OpenAsync();
        await publisher.PublishAsync(Fx, LookupRowsReader.FromCsv(Fx, "currency,valid_from,rate,note\nUSD,2026-01-01,0.9,x\n"), default);
        var good = LookupRowsReader.FromCsv(Fx, "currency,valid_from,rate,note\nUSD,2026-01-01,0.5,y\n");
        await Assert.ThrowsAsync<ArgumentException>(() => publisher.PublishAsync(Fx, [good[0] with { Values = [] }], default));
        Assert.Equal(1L, await reader.CurrentVersionAsync("fx", default));
        Assert.Null(await reader.ReadVersionAsync(Fx, 2, default));
        Assert.Equal(2L, (await publisher.PublishAsync(Fx, good, default)).Version);
    }
}
