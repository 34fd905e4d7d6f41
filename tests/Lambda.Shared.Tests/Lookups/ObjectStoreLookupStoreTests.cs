using System.Text;
using Lambda.Shared.Lookups;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Lookups;

/// <summary>
/// The lookup-store contract on the s3 kind: objects in the stack's S3-protocol server, versions committed in a
/// PostgreSQL schema of the test's own; and what a publish killed between its put and its commit leaves behind.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ObjectStoreLookupStoreTests : LookupStoreContract, IAsyncLifetime
{
    private readonly S3TestStore _s3 = S3TestStore.Create();
    private PostgresTestSchema _schema = null!;

    public async Task InitializeAsync() => _schema = await PostgresTestSchema.CreateAsync("it_lookups");

    public async Task DisposeAsync()
    {
        await _schema.DisposeAsync();
        await _s3.DisposeAsync();
    }

    protected override Task<(ILookupReader Reader, ILookupPublisher Publisher)> OpenAsync()
    {
        var store = new ObjectStoreLookupStore(_s3.Store, _schema.DataSource, TimeProvider.System);
        return Task.FromResult<(ILookupReader, ILookupPublisher)>((store, store));
    }

    [Fact]
    public async Task A_version_object_that_was_never_committed_is_invisible_and_the_next_publish_deletes_it()
    {
        var store = new ObjectStoreLookupStore(_s3.Store, _schema.DataSource, TimeProvider.System);
        await store.PublishAsync(Fx, LookupRowsReader.FromCsv(Fx, "currency,valid_from,rate,note\nUSD,2026-01-01,0.9,x\n"), default);
        // What a publish killed after its put and before its commit leaves: a whole version object no row names.
        var orphan = ObjectStoreLookupStore.PrefixOf("fx") + "v000002-" + Guid.NewGuid().ToString("N") + ".json";
        await _s3.Store.PutAsync(orphan, Encoding.UTF8.GetBytes("""{"lookup":"fx","version":2,"rows":[]}"""), default);

        Assert.Equal(1L, await store.CurrentVersionAsync("fx", default));
        Assert.Null(await store.ReadVersionAsync(Fx, 2, default));
        var next = await store.PublishAsync(Fx, LookupRowsReader.FromCsv(Fx, "currency,valid_from,rate,note\nUSD,2026-01-01,0.8,y\n"), default);

        Assert.Equal(2L, next.Version);
        Assert.Null(await _s3.Store.ReadAsync(orphan, default));
        var keys = new List<string>();
        await foreach (var item in _s3.Store.ListAsync(ObjectStoreLookupStore.PrefixOf("fx"), default))
        {
            keys.Add(item.Key);
        }

        Assert.Equal(2, keys.Count);
        Assert.All(keys, k => Assert.Matches(@"^lookups/fx/v00000[12]-[0-9a-f]{32}\.json$", k));
    }

    [Fact]
    public async Task Concurrent_publishes_from_several_instances_get_distinct_consecutive_versions()
    {
        var publishes = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            var (_, publisher) = await OpenAsync();
            return (await publisher.PublishAsync(Fx, LookupRowsReader.FromCsv(Fx, $"currency,valid_from,rate,note\nUSD,2026-01-01,{i},x\n"), default)).Version;
        }));
        var versions = await Task.WhenAll(publishes);
        Assert.Equal([1L, 2, 3, 4, 5, 6], versions.Order());
        var (reader, _) = await OpenAsync();
        Assert.Equal(6L, await reader.CurrentVersionAsync("fx", default));
    }
}
