using Lambda.Shared.Storage;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Storage;

/// <summary>The object-store contract on the stack's S3-protocol server (s3rver), under a fresh prefix per test.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class S3ObjectStoreTests : ObjectStoreContract, IAsyncLifetime
{
    private readonly S3TestStore _s3 = S3TestStore.Create();

    protected override IObjectStore Store => _s3.Store;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _s3.DisposeAsync();

    [Fact]
    public async Task Objects_of_one_prefix_are_invisible_under_another()
    {
        await using var other = S3TestStore.Create();
        await other.Store.PutAsync("shared/name", "other"u8.ToArray(), CancellationToken.None);
        Assert.Null(await Store.ReadAsync("shared/name", CancellationToken.None));
        await Store.PutAsync("shared/name", "mine"u8.ToArray(), CancellationToken.None);
        Assert.Equal("other"u8.ToArray(), await other.Store.ReadAsync("shared/name", CancellationToken.None));
    }
}
