using System.Text;
using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Schema;
using Lambda.Shared.Storage;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>
/// Master-dataset files and optional fields: a file written before a field was added reads as its default or null,
/// without a rewrite, and a file written with optional fields keeps their nulls.
/// </summary>
public sealed class OptionalFieldFileTests : IDisposable
{
    private readonly TestDirectory _root = new("optional-fields");

    public void Dispose() => _root.Dispose();

    private static SourceDefinition Orders(string extraFields) => CatalogLoader.Parse($"""
        sources:
          orders:
            topic: orders
            time: ts
            fields:
              order_id: string
              amount: decimal(18,2)
        {extraFields}
        views:
          v:
            source: orders
            granularity: minute
            measures: {"{ n: count }"}
        """).GetSource("orders");

    private async Task<string> WriteAsync(SourceDefinition source, string name, params string[] events)
    {
        var parser = new EventParser(source);
        var rows = new MasterRowBuffer(source);
        for (var i = 0; i < events.Length; i++)
        {
            Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(events[i]), out var record, out var rejection), rejection.Message);
            rows.Append(record, 0, i);
        }

        var path = Path.Combine(_root.Path, name);
        await new MasterFileWriter().WriteAsync(path, new MasterFileSchema(source), rows, flushToDisk: false, CancellationToken.None);
        return path;
    }

    private static async Task<List<string>> ReadAsync(string path, SourceDefinition source)
    {
        var rows = new List<string>();
        var record = new EventRecord(source);
        await MasterFileReader.ReadAsync(path, new MasterRowBatch(new MasterFileSchema(source)), batch =>
        {
            for (var i = 0; i < batch.Count; i++)
            {
                batch.Fill(i, record);
                Assert.True(record.IsComplete);
                rows.Add(string.Join(" ", source.Fields.Select(f => record.IsSet(f.Ordinal) ? record.GetValue(f.Ordinal).ToCanonicalString() : "null")));
            }
        }, CancellationToken.None);
        return rows;
    }

    [Fact]
    public async Task A_file_written_before_the_fields_existed_reads_them_as_default_or_null()
    {
        var before = Orders(string.Empty);
        var path = await WriteAsync(
            before,
            "old.parquet",
            """{"ts":"2026-12-06T10:00:00Z","order_id":"o1","amount":12.50}""",
            """{"ts":"2026-12-06T10:01:00Z","order_id":"o2","amount":3}""");
        var bytes = await File.ReadAllBytesAsync(path);
        var after = Orders("""
                  channel: string?
                  tries: long? = 3
                  fee: decimal(18,2)?
            """);

        var rows = await ReadAsync(path, after);

        Assert.Equal(["o1 12.50 null 3 null", "o2 3.00 null 3 null"], rows);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Optional_fields_are_archived_as_nullable_columns_and_read_back_with_their_nulls()
    {
        var source = Orders("""
                  channel: string?
                  tries: long? = 3
                  fee: decimal(18,2)?
                  seen: timestamp?
                  vip: bool?
                  score: double?
            """);
        var path = await WriteAsync(
            source,
            "new.parquet",
            """{"ts":"2026-12-06T10:00:00Z","order_id":"o1","amount":1,"channel":"web","tries":0,"fee":0.5,"seen":"2026-12-06T09:00:00Z","vip":true,"score":1.5}""",
            """{"ts":"2026-12-06T10:01:00Z","order_id":"o2","amount":2,"channel":null}""");

        var rows = await ReadAsync(path, source);

        Assert.Equal(["o1 1.00 web 0 0.50 2026-12-06T09:00:00.000Z true 1.5", "o2 2.00 null 3 null null null null"], rows);
        await using var parquet = await Parquet.ParquetReader.CreateAsync(path);
        Assert.Equal(
            ["order_id:False", "amount:False", "channel:True", "tries:True", "fee:True", "seen:True", "vip:True", "score:True"],
            parquet.Schema.GetDataFields().Take(8).Select(f => $"{f.Name}:{f.IsNullable}"));
    }

    [Fact]
    public async Task A_file_missing_a_required_column_is_refused()
    {
        var path = await WriteAsync(Orders(string.Empty), "old.parquet", """{"ts":"2026-12-06T10:00:00Z","order_id":"o1","amount":1}""");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(path, Orders("      channel: string")));

        Assert.Equal($"master-dataset file '{path}' has no column 'channel'", error.Message);
    }

    [Fact]
    public async Task A_dataset_archived_before_schema_records_is_checked_against_its_newest_file()
    {
        var flush = Path.Combine(_root.Path, "master", "orders", "flush");
        Directory.CreateDirectory(flush);
        var written = await WriteAsync(Orders(string.Empty), "p0-0-0.parquet", """{"ts":"2026-12-06T10:00:00Z","order_id":"o1","amount":1}""");
        File.Move(written, Path.Combine(flush, "p0-0-0.parquet"));

        await ArchivedSchemaStore.CheckAsync(new LocalObjectStore(_root.Path), _root.Path, [Orders("      channel: string?")], CancellationToken.None);
        var refused = await Assert.ThrowsAsync<SchemaIncompatibleException>(() => ArchivedSchemaStore.CheckAsync(
            new LocalObjectStore(_root.Path), _root.Path, [CatalogLoader.Parse("""
                sources:
                  orders:
                    topic: orders
                    time: ts
                    fields: { order_id: string, amount: long }
                views:
                  v: { source: orders, granularity: minute, measures: { n: count } }
                """).GetSource("orders")], CancellationToken.None));

        Assert.Equal(
            ["source 'orders': field 'amount' changes type from decimal(18,2) to long; the archived files hold the old type, so add a field under a new name instead"],
            refused.Problems);
        Assert.Null(await ArchivedSchemaStore.ReadAsync(new LocalObjectStore(_root.Path), "orders", CancellationToken.None));
    }

    [Fact]
    public async Task The_schema_inferred_from_a_file_gives_every_type_and_optionality()
    {
        var source = Orders("""
                  tries: long? = 3
                  seen: timestamp?
                  vip: bool
                  score: double?
            """);
        var flush = Path.Combine(_root.Path, "master", "orders", "flush");
        Directory.CreateDirectory(flush);
        var written = await WriteAsync(source, "p0-0-0.parquet", """{"ts":"2026-12-06T10:00:00Z","order_id":"o1","amount":1,"vip":false}""");
        File.Move(written, Path.Combine(flush, "p0-0-0.parquet"));

        var inferred = await ArchivedSchemaStore.ReadOrInferAsync(new LocalObjectStore(_root.Path), _root.Path, "orders", CancellationToken.None);

        Assert.Equal(
            [
                new ArchivedField("order_id", "string", false, null),
                new ArchivedField("amount", "decimal(18,2)", false, null),
                new ArchivedField("tries", "long", true, null),
                new ArchivedField("seen", "timestamp", true, null),
                new ArchivedField("vip", "bool", false, null),
                new ArchivedField("score", "double", true, null),
            ],
            inferred!.Fields);
    }

    [Fact]
    public async Task A_dataset_with_files_before_and_after_the_field_compacts_and_queries_with_union_by_name()
    {
        var before = Orders(string.Empty);
        var after = Orders("      channel: string?");
        await CommitAsync(before, 0, """{"ts":"2026-12-06T10:00:00Z","order_id":"o1","amount":1}""");
        await CommitAsync(after, 1, """{"ts":"2026-12-06T10:01:00Z","order_id":"o2","amount":2,"channel":"web"}""", """{"ts":"2026-12-06T10:02:00Z","order_id":"o3","amount":3}""");
        const string Sql = "SELECT order_id, channel FROM master_orders ORDER BY order_id";
        (string, string?)[] expected = [("o1", null), ("o2", "web"), ("o3", null)];

        using (var session = await OpenAdHocAsync())
        {
            var rows = await session.QueryAsync(Sql, 10, null, CancellationToken.None);
            Assert.Equal(expected, rows.Rows.Select(r => ((string)r[0]!, r[1] as string)));
        }

        var compacted = await new MasterDatasetCompactor(_root.Path, after, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);
        Assert.Equal(1, compacted.FilesAfter);
        using (var session = await OpenAdHocAsync())
        {
            var rows = await session.QueryAsync(Sql, 10, null, CancellationToken.None);
            Assert.Equal(expected, rows.Rows.Select(r => ((string)r[0]!, r[1] as string)));
        }
    }

    private async Task CommitAsync(SourceDefinition source, long firstOffset, params string[] events)
    {
        var parser = new EventParser(source);
        var batch = new MasterPartitionBatch(source, 0);
        for (var i = 0; i < events.Length; i++)
        {
            Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(events[i]), out var record, out var rejection), rejection.Message);
            batch.Add(record, firstOffset + i);
        }

        await new MasterDatasetWriter(_root.Path, source, flushToDisk: false).CommitAsync(batch, firstOffset, firstOffset + events.Length - 1, 0, CancellationToken.None);
    }

    private Task<Lambda.BatchLayer.AdHoc.AdHocSession> OpenAdHocAsync() =>
        new Lambda.BatchLayer.AdHoc.AdHocSqlEngine(
                Microsoft.Extensions.Options.Options.Create(new BatchLayerOptions { DatasetRoot = _root.Path }),
                new Lambda.BatchLayer.Tests.AdHoc.FixedBatchViewFiles(new Dictionary<string, IReadOnlyList<string>>()),
                Microsoft.Extensions.Logging.Abstractions.NullLogger<Lambda.BatchLayer.AdHoc.AdHocSqlEngine>.Instance)
            .OpenAsync(null, CancellationToken.None, unionByName: true);
}
