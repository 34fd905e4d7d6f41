using Lambda.Shared.Catalog;
using Lambda.Shared.Schema;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Schema;

/// <summary>
/// The archived schema on the s3 kind (a fresh prefix of the stack's S3-protocol server): what one instance's archiver
/// records, an instance on another machine (an empty local root) checks against.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ArchivedSchemaOnObjectStorageTests : IAsyncLifetime
{
    private readonly S3TestStore _s3 = S3TestStore.Create();
    private readonly string _writerRoot = Path.Combine(Path.GetTempPath(), "lambda-schema-s3", Guid.NewGuid().ToString("N"));
    private readonly string _otherRoot = Path.Combine(Path.GetTempPath(), "lambda-schema-s3", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _s3.DisposeAsync();
        foreach (var root in new[] { _writerRoot, _otherRoot })
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_schema_recorded_by_one_instance_refuses_an_incompatible_catalog_on_another()
    {
        await ArchivedSchemaStore.CheckAndRecordAsync(_s3.Store, _writerRoot, [Orders("order_id: string, amount: long")], CancellationToken.None);

        var recorded = await ArchivedSchemaStore.ReadAsync(_s3.Store, "orders", CancellationToken.None);
        Assert.NotNull(recorded);
        Assert.Equal(["order_id", "amount"], recorded.Fields.Select(f => f.Name));
        Assert.False(File.Exists(Path.Combine(_writerRoot, "master", "orders", ArchivedSchemaStore.FileName)), "the record went to the local root");

        // Another machine: nothing local, the record in the bucket.
        await ArchivedSchemaStore.CheckAsync(_s3.Store, _otherRoot, [Orders("order_id: string, amount: long, channel: string?")], CancellationToken.None);
        var refused = await Assert.ThrowsAsync<SchemaIncompatibleException>(
            () => ArchivedSchemaStore.CheckAsync(_s3.Store, _otherRoot, [Orders("order_id: string, amount: string")], CancellationToken.None));
        Assert.Contains("amount", refused.Message, StringComparison.Ordinal);
    }

    private static SourceDefinition Orders(string fields) => CatalogLoader.Parse($$"""
        sources:
          orders:
            topic: orders
            time: ts
            fields: { {{fields}} }
        views:
          v:
            source: orders
            granularity: minute
            measures: { n: count }
        """).GetSource("orders");
}
