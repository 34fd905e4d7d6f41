using Lambda.BatchLayer.AdHoc;
using Lambda.BatchLayer.Compaction;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Tests.AdHoc;
using Lambda.BatchLayer.Tests.Scheduling;
using Lambda.Shared.Postgres;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>
/// The commit-log contract on the s3 kind (data files in the stack's S3-protocol server under a fresh prefix, records in
/// a PostgreSQL schema of the test's own, each reader with an empty root of its own, as on another machine), and what a
/// killed or overlapping writer leaves.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ObjectStoreCommitLogTests : MasterCommitLogContract, IAsyncLifetime
{
    private readonly S3TestStore _s3 = S3TestStore.Create();
    private readonly List<TestDirectory> _readers = [];
    private readonly PostgresSchemaGate _gate = new(MasterCommitCatalogSchema.SchemaLockKey, MasterCommitCatalogSchema.Statements);
    private PostgresTestSchema _schema = null!;

    public async Task InitializeAsync() => _schema = await PostgresTestSchema.CreateAsync("it_master");

    public async Task DisposeAsync()
    {
        await _schema.DisposeAsync();
        await _s3.DisposeAsync();
    }

    public override void Dispose()
    {
        _readers.ForEach(r => r.Dispose());
        base.Dispose();
    }

    protected override IMasterCommitLog OpenWriter() => Open(RootPath, TimeSpan.FromMinutes(10));

    protected override IMasterCommitLog OpenReader()
    {
        var root = new TestDirectory("commit-log-reader");
        _readers.Add(root);
        return Open(root.Path, TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task A_second_writers_commit_overlapping_a_committed_range_is_refused_and_its_objects_deleted()
    {
        var messages = OrderDatasets.Messages(Orders, 30, 1, seed: 21);
        await new MasterDatasetWriter(OpenWriter(), Orders, flushToDisk: false).CommitAsync(Batch(messages.Take(20), 0), 0, 19, 0, CancellationToken.None);
        var before = await ObjectKeysAsync();

        var error = await Assert.ThrowsAnyAsync<IOException>(
            () => new MasterDatasetWriter(OpenWriter(), Orders, flushToDisk: false).CommitAsync(Batch(messages.Skip(10), 0), 10, 29, 0, CancellationToken.None));

        Assert.Contains("overlaps the committed range 0-19", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await ObjectKeysAsync());
        Assert.Equal(20, (await OpenReader().LoadSnapshotAsync(CancellationToken.None)).GetCommittedEnd(0));
    }

    [Fact]
    public async Task An_uploaded_but_uncommitted_object_is_never_read_and_recovery_deletes_it_once_older_than_the_grace()
    {
        var messages = OrderDatasets.Messages(Orders, 40, 2, seed: 22);
        var writer = new MasterDatasetWriter(OpenWriter(), Orders, flushToDisk: false);
        foreach (var partition in messages.GroupBy(m => m.Partition))
        {
            var chunk = partition.OrderBy(m => m.Offset).ToArray();
            await writer.CommitAsync(Batch(chunk, partition.Key), chunk[0].Offset, chunk[^1].Offset, 0, CancellationToken.None);
        }

        var committed = await ObjectKeysAsync();
        // What a writer killed between its upload and its insert leaves: objects under fresh keys that no row names.
        var orphan = $"master/orders/flush/p0-20-29.{Guid.NewGuid():N}.parquet";
        var otherPartition = $"master/orders/flush/p1-20-29.{Guid.NewGuid():N}.parquet";
        foreach (var key in new[] { orphan, otherPartition })
        {
            await _s3.Store.PutAsync(key, "not parquet: a reader that opened it would fail"u8.ToArray(), CancellationToken.None);
        }

        var reader = OpenReader();
        var snapshot = await reader.LoadSnapshotAsync(CancellationToken.None);
        Assert.Equal(new Dictionary<int, long> { [0] = 20, [1] = 20 }, snapshot.CommittedEnds);
        Assert.Equal(messages.Count(m => m.Event is not null), snapshot.Rows);
        Assert.Equal(snapshot.Files.Count, Directory.GetFiles(reader.Root, "*.parquet", SearchOption.AllDirectories).Length);

        // Younger than the grace: a live writer may still commit it.
        await Open(RootPath, TimeSpan.FromMinutes(10)).RecoverAsync(new HashSet<int> { 0 }, CancellationToken.None);
        Assert.Contains(orphan, await ObjectKeysAsync());

        var recovery = await Open(RootPath, TimeSpan.Zero).RecoverAsync(new HashSet<int> { 0 }, CancellationToken.None);

        Assert.Equal(1, recovery.TempFilesDeleted);
        Assert.Equal([.. committed, otherPartition], (await ObjectKeysAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(snapshot.Rows, (await OpenReader().LoadSnapshotAsync(CancellationToken.None)).Rows);
    }

    [Fact]
    public async Task Ad_hoc_sql_on_another_machine_reads_exactly_the_committed_rows()
    {
        var messages = OrderDatasets.Messages(Orders, 300, 3, seed: 24);
        await CommitInChunksAsync(messages, 40);

        var elsewhere = new TestDirectory("adhoc-reader");
        _readers.Add(elsewhere);
        var engine = new AdHocSqlEngine(
            Options.Create(new BatchLayerOptions { DatasetRoot = elsewhere.Path }),
            new FixedBatchViewFiles(new Dictionary<string, IReadOnlyList<string>>()),
            NullLogger<AdHocSqlEngine>.Instance,
            new ObjectStoreCommitLogs(elsewhere.Path, _s3.Store, _schema.DataSource, TimeSpan.FromMinutes(10), TimeProvider.System));
        using var session = await engine.OpenAsync(null, CancellationToken.None);
        var result = await session.QueryAsync(
            "SELECT kafka_partition::INTEGER, count(*)::BIGINT, sum(kafka_offset)::BIGINT FROM master_orders GROUP BY 1 ORDER BY 1", 10, null, CancellationToken.None);

        var expected = messages.Where(m => m.Event is not null).GroupBy(m => m.Partition).OrderBy(g => g.Key)
            .Select(g => (g.Key, (long)g.Count(), g.Sum(m => m.Offset)));
        Assert.Equal(expected, result.Rows.Select(r => ((int)r[0]!, (long)r[1]!, (long)r[2]!)));
    }

    [Fact]
    public async Task A_compaction_record_cannot_be_committed_as_an_archive_commit()
    {
        var messages = OrderDatasets.Messages(Orders, 20, 1, seed: 23);
        var log = OpenWriter();
        var commit = await new MasterDatasetWriter(log, Orders, flushToDisk: false).CommitAsync(Batch(messages, 0), 0, 19, 0, CancellationToken.None);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => log.CommitAsync(
            commit with { FormatVersion = DatasetCommit.CompactionFormatVersion, Supersedes = ["p0-0-9.json", "p0-10-19.json"] }, false, CancellationToken.None));

        Assert.Contains("ReplaceAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replaced_objects_stay_for_the_grace_period_then_recovery_deletes_them_and_their_rows_only()
    {
        var messages = OrderDatasets.Messages(Orders, 300, 2, seed: 25);
        await CommitInChunksAsync(messages, 50);

        var archived = await ObjectKeysAsync();

        await new MasterDatasetCompactor(OpenWriter(), Orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);

        // A reader that read the rows before the swap may download the replaced objects after it: they stay.
        var compacted = await OpenReader().LoadSnapshotAsync(CancellationToken.None);
        var afterCompaction = await ObjectKeysAsync();
        Assert.All(archived, key => Assert.Contains(key, afterCompaction));
        Assert.Equal(6, await SupersededRowsAsync());
        Assert.Equal(new CompactionRecovery(0, 0, 0, 0), await Open(RootPath, TimeSpan.FromMinutes(10)).RecoverCompactionsAsync(CancellationToken.None));
        Assert.Equal(afterCompaction, await ObjectKeysAsync());

        var recovery = await Open(RootPath, TimeSpan.Zero).RecoverCompactionsAsync(CancellationToken.None);

        Assert.Equal(6, recovery.RecordsDeleted);
        Assert.Equal(0, await SupersededRowsAsync());
        var remaining = await ObjectKeysAsync();
        Assert.Equal((await InForceKeysAsync()).Order(StringComparer.Ordinal), remaining.Order(StringComparer.Ordinal));
        Assert.Equal(recovery.TempFilesDeleted, archived.Count(k => !remaining.Contains(k)));
        var fresh = await OpenReader().LoadSnapshotAsync(CancellationToken.None);
        Assert.Equal(compacted.CommittedEnds, fresh.CommittedEnds);
        Assert.Equal(messages.Count(m => m.Event is not null), fresh.Rows);
    }

    [Fact]
    public async Task The_compaction_runner_compacts_the_object_store_dataset()
    {
        var messages = OrderDatasets.Messages(Orders, 200, 2, seed: 26);
        await CommitInChunksAsync(messages, 25);

        var runner = new CompactionRunner(
            TestCatalogs.Default,
            Options.Create(new BatchLayerOptions { DatasetRoot = RootPath }),
            Options.Create(new CompactionOptions { FlushToDisk = false }),
            new CountingLock(),
            TimeProvider.System,
            NullLogger<CompactionRunner>.Instance,
            logs: new ObjectStoreCommitLogs(RootPath, _s3.Store, _schema.DataSource, TimeSpan.FromMinutes(10), TimeProvider.System));

        var results = await runner.RunAsync(minAge: TimeSpan.Zero, cancellationToken: CancellationToken.None);

        var orders = Assert.Single(results);
        Assert.Equal(8, orders.RecordsSuperseded);
        Assert.Equal(2, orders.RecordsWritten);
        var commits = await OpenReader().ReadCommitsAsync(null, CancellationToken.None);
        Assert.Equal([0, 1], commits.Select(c => c.Partition));
        Assert.All(commits, c => Assert.True(c.IsCompaction, c.FileName));
        Assert.Equal(messages.Count(m => m.Event is not null), (await OpenReader().LoadSnapshotAsync(CancellationToken.None)).Rows);
    }

    private async Task<long> SupersededRowsAsync()
    {
        await using var command = _schema.DataSource.CreateCommand("SELECT count(*) FROM master_commits WHERE superseded_at IS NOT NULL");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<string>> InForceKeysAsync()
    {
        var keys = new List<string>();
        await using var command = _schema.DataSource.CreateCommand("SELECT unnest(object_keys) FROM master_commits WHERE superseded_at IS NULL");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    private ObjectStoreCommitLog Open(string root, TimeSpan grace) =>
        new(root, Orders.Name, _s3.Store, _schema.DataSource, _gate, grace, TimeProvider.System);

    private async Task<List<string>> ObjectKeysAsync()
    {
        var keys = new List<string>();
        await foreach (var item in _s3.Store.ListAsync("master/", CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }
}
