using Lambda.Shared.Catalog;
using Lambda.Shared.Schema;
using Lambda.Shared.Storage;

namespace Lambda.Shared.Tests.Schema;

public sealed class SchemaCompatibilityTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lambda-schema-tests", Guid.NewGuid().ToString("N"));

    private LocalObjectStore Store => new(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static SourceDefinition Orders(string fields, string measures = "{ n: count }") => CatalogLoader.Parse($"""
        sources:
          orders:
            topic: orders
            time: ts
            fields:
        {fields}
        views:
          v:
            source: orders
            granularity: minute
            measures: {measures}
        """).GetSource("orders");

    private const string Archived = """
              order_id: string
              amount: decimal(18,2)
              note: string?
        """;

    private async Task<SchemaIncompatibleException> RefusedAsync(string fields)
    {
        await ArchivedSchemaStore.CheckAndRecordAsync(Store, _root, [Orders(Archived)], CancellationToken.None);
        return await Assert.ThrowsAsync<SchemaIncompatibleException>(() => ArchivedSchemaStore.CheckAsync(Store, _root, [Orders(fields)], CancellationToken.None));
    }

    [Fact]
    public async Task A_type_change_of_an_archived_field_is_refused()
    {
        var refused = await RefusedAsync("""
                  order_id: string
                  amount: double
                  note: string?
            """);

        Assert.Equal(
            ["source 'orders': field 'amount' changes type from decimal(18,2) to double; the archived files hold the old type, so add a field under a new name instead"],
            refused.Problems);
        Assert.Contains("field 'amount' changes type from decimal(18,2) to double", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_required_field_is_refused()
    {
        var refused = await RefusedAsync("""
                  order_id: string
                  amount: decimal(18,2)
                  note: string?
                  channel: string
            """);

        Assert.Equal(
            ["source 'orders': field 'channel' (string) is new and required, but the archived events do not have it; declare it optional ('string?') or give it a default ('string? = ...')"],
            refused.Problems);
    }

    [Fact]
    public async Task An_archived_optional_field_turning_required_is_refused()
    {
        var refused = await RefusedAsync("""
                  order_id: string
                  amount: decimal(18,2)
                  note: string
            """);

        Assert.Equal(
            ["source 'orders': field 'note' was archived as optional and is now required; archived events may lack it, so keep it optional ('string?') or give it a default"],
            refused.Problems);
    }

    [Fact]
    public async Task A_removed_field_brought_back_with_another_type_is_refused()
    {
        await ArchivedSchemaStore.CheckAndRecordAsync(Store, _root, [Orders(Archived)], CancellationToken.None);
        await ArchivedSchemaStore.CheckAndRecordAsync(Store, _root, [Orders("      order_id: string")], CancellationToken.None);

        var refused = await Assert.ThrowsAsync<SchemaIncompatibleException>(() =>
            ArchivedSchemaStore.CheckAsync(Store, _root, [Orders("      order_id: string\n      amount: long?")], CancellationToken.None));

        Assert.Equal(
            ["source 'orders': field 'amount' changes type from decimal(18,2) to long; the archived files hold the old type, so add a field under a new name instead"],
            refused.Problems);
    }

    [Fact]
    public async Task A_record_read_half_written_is_read_again_and_one_that_never_parses_is_an_error_naming_it()
    {
        await ArchivedSchemaStore.CheckAndRecordAsync(Store, _root, [Orders(Archived)], CancellationToken.None);

        var reread = await ArchivedSchemaStore.ReadAsync(new HalfWrittenRecordStore(Store, halfWrittenReads: 2), "orders", CancellationToken.None);
        var never = await Assert.ThrowsAsync<InvalidDataException>(
            () => ArchivedSchemaStore.ReadAsync(new HalfWrittenRecordStore(Store, halfWrittenReads: int.MaxValue), "orders", CancellationToken.None));

        Assert.Equal("orders", reread?.Source);
        Assert.Contains("_schema.json' is not valid", never.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_an_optional_field_or_removing_an_unused_one_is_compatible_and_recorded()
    {
        await ArchivedSchemaStore.CheckAndRecordAsync(Store, _root, [Orders(Archived)], CancellationToken.None);

        await ArchivedSchemaStore.CheckAndRecordAsync(Store, _root, [Orders("""
                  order_id: string
                  note: string?
                  channel: string?
                  tries: long? = 0
            """)], CancellationToken.None);

        var recorded = (await ArchivedSchemaStore.ReadAsync(Store, "orders", CancellationToken.None))!;
        Assert.Equal(
            [
                new ArchivedField("order_id", "string", false, null),
                new ArchivedField("note", "string", true, null),
                new ArchivedField("channel", "string", true, null),
                new ArchivedField("tries", "long", true, "0"),
                new ArchivedField("amount", "decimal(18,2)", false, null),
            ],
            recorded.Fields);
    }

    [Fact]
    public void A_removed_field_that_a_view_uses_is_refused_by_the_catalog_naming_view_field_and_source()
    {
        var error = Assert.Single(Assert.Throws<CatalogValidationException>(() => Orders("      order_id: string", "{ revenue: sum(amount) }")).Errors);

        Assert.Equal("views.v.measures.revenue", error.Path);
        Assert.Equal("field 'amount' is not in source 'orders'", error.Message);
    }

    [Fact]
    public async Task Without_a_record_any_catalog_is_compatible()
    {
        await ArchivedSchemaStore.CheckAsync(Store, _root, [Orders("      order_id: long")], CancellationToken.None);

        Assert.Null(await ArchivedSchemaStore.ReadAsync(Store, "orders", CancellationToken.None));
    }
}
