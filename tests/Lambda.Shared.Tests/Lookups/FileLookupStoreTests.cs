using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Xunit;

namespace Lambda.Shared.Tests.Lookups;

public sealed class FileLookupStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookups-").FullName;

    private static readonly Lambda.Shared.Catalog.Catalog Catalog = CatalogLoader.Parse("""
        lookups:
          fx:
            key: { currency: string }
            valid_from: day
            values: { rate: "decimal(18,4)", note: string }
        sources:
          pay: { topic: pay, time: ts, fields: { currency: string } }
        """);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static LookupDefinition Fx => Catalog.Lookups[0];

    [Fact]
    public async Task Every_publish_is_a_new_immutable_version_and_current_points_at_the_last()
    {
        var store = new FileLookupStore(_root, TimeProvider.System);
        var v1 = await store.PublishAsync(Fx, LookupRowsReader.FromCsv(Fx, "currency,valid_from,rate,note\nUSD,2026-01-01,0.9,\"a, b\"\n"), default);
        var first = await File.ReadAllBytesAsync(store.FileOf("fx", 1));
        var v2 = await store.PublishAsync(Fx, LookupRowsReader.FromJson(Fx, """[{"currency":"USD","valid_from":"2026-01-01","rate":0.85,"note":null}]"""u8), default);
        Assert.Equal((1L, 2L), (v1.Version, v2.Version));
        Assert.Equal(first, await File.ReadAllBytesAsync(store.FileOf("fx", 1)));
        Assert.Equal(2L, await store.CurrentVersionAsync("fx", default));
        var snapshot = await store.ReadSnapshotAsync(Catalog, default);
        Assert.True(snapshot.TryGet("fx", out var current));
        Assert.Equal(0.85m, current.Rows[0].Values[0].AsDecimal());
        Assert.True(current.Rows[0].Values[1].IsNull);
        Assert.Equal("a, b", (await store.ReadVersionAsync(Fx, 1, default))!.Rows[0].Values[1].AsString());
        Assert.Empty(Directory.GetFiles(store.FolderOf("fx"), "*.tmp-*"));
    }

    [Theory]
    [InlineData("valid_from,rate,note\n2026-01-01,1,x\n", "currency", "key column 'currency' of lookup 'fx' is missing")]
    [InlineData("currency,valid_from,rate,note\nUSD,2026-01-01,abc,x\n", "rate", "line 2: column 'rate' is decimal(18,4); 'abc' is not")]
    [InlineData("currency,valid_from,rate,note\nUSD,2026-01-01,1\n", "body", "CSV line 2 has 3 cells; the header has 4")]
    [InlineData("currency,valid_from,rate,note\n\"USD,2026-01-01,1,x\n", "body", "a quoted cell is not closed")]
    [InlineData("currency,valid_from,rate,note\nUSD,01/02/2026,1,x\n", "valid_from", "is not a day")]
    [InlineData("currency,valid_from,rate,note,extra\nUSD,2026-01-01,1,x,y\n", "extra", "'extra' is not a column of lookup 'fx'")]
    [InlineData("currency,valid_from,rate,note\nUSD,2026-01-01,1,x\nUSD,2026-01-01,2,y\n", "currency", "line 3 repeats the key of line 2")]
    public async Task A_bad_publish_names_the_field_and_changes_nothing(string csv, string field, string message)
    {
        var store = new FileLookupStore(_root, TimeProvider.System);
        await store.PublishAsync(Fx, LookupRowsReader.FromCsv(Fx, "currency,valid_from,rate,note\nUSD,2026-01-01,0.9,x\n"), default);
        var before = Directory.GetFiles(store.FolderOf("fx")).Order().Select(f => (f, File.ReadAllText(f))).ToArray();
        var error = Assert.Throws<LookupPublishException>(() => LookupRowsReader.FromCsv(Fx, csv));
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(store.FolderOf("fx")).Order().Select(f => (f, File.ReadAllText(f))).ToArray());
    }

    [Fact]
    public void Bad_json_is_refused_naming_the_field()
    {
        Assert.Equal("body", Assert.Throws<LookupPublishException>(() => LookupRowsReader.FromJson(Fx, "{\"a\":1}"u8)).Field);
        Assert.Equal("rate", Assert.Throws<LookupPublishException>(() =>
            LookupRowsReader.FromJson(Fx, """[{"currency":"USD","valid_from":"2026-01-01","rate":true,"note":"x"}]"""u8)).Field);
    }
}
