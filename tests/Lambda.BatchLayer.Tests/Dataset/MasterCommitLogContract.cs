using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>
/// What every master-dataset commit log does, run against each storage kind (<see cref="LocalMasterCommitLogTests"/>:
/// record files under the root; <see cref="ObjectStoreCommitLogTests"/>: objects in S3, records as PostgreSQL rows).
/// The expectations come from the messages written, not from the log under test.
/// </summary>
public abstract class MasterCommitLogContract : IDisposable
{
    private readonly TestDirectory _root = new("commit-log-contract");

    protected SourceDefinition Orders { get; } = TestCatalogs.Default.GetSource("orders");

    /// <summary>The root the writers write aside into.</summary>
    protected string RootPath => _root.Path;

    public virtual void Dispose() => _root.Dispose();

    /// <summary>A writer's log over <see cref="RootPath"/> and the kind's shared storage (a new instance per call, as another process would have).</summary>
    protected abstract IMasterCommitLog OpenWriter();

    /// <summary>A reader's log: on a kind with shared storage, one on another machine (a root of its own).</summary>
    protected abstract IMasterCommitLog OpenReader();

    [Fact]
    public async Task Archive_commits_are_read_back_whole_by_a_snapshot()
    {
        var messages = OrderDatasets.Messages(Orders, 600, 2, seed: 11);
        await CommitInChunksAsync(messages, 100);

        var reader = OpenReader();
        var snapshot = await reader.LoadSnapshotAsync(CancellationToken.None);
        var commits = await reader.ReadCommitsAsync(new HashSet<int> { 1 }, CancellationToken.None);

        Assert.Equal(new Dictionary<int, long> { [0] = 300, [1] = 300 }, snapshot.CommittedEnds);
        Assert.Equal(3, commits.Count);
        Assert.All(commits, c => Assert.Equal(1, c.Partition));
        Assert.Equal([0L, 100, 200], commits.Select(c => c.FirstOffset));
        Assert.All(snapshot.Files, f => Assert.True(File.Exists(snapshot.GetPath(f)), f.Path));
        Assert.Empty(Directory.GetFiles(reader.Root, "*.tmp", SearchOption.AllDirectories));
        foreach (var partition in new[] { 0, 1 })
        {
            var positions = new List<long>();
            await new MasterDatasetReplayReader(Orders).ReadPartitionAsync(snapshot, partition, 0, (_, position) => positions.Add(position), CancellationToken.None);
            Assert.Equal(messages.Where(m => m.Partition == partition && m.Event is not null).Select(m => m.Offset).Order(), positions);
        }
    }

    [Fact]
    public async Task A_second_writers_commit_of_a_committed_range_is_refused_and_changes_nothing()
    {
        var messages = OrderDatasets.Messages(Orders, 20, 1, seed: 12);
        await new MasterDatasetWriter(OpenWriter(), Orders, flushToDisk: false).CommitAsync(Batch(messages, 0), 0, 19, 0, CancellationToken.None);

        var second = new MasterDatasetWriter(OpenWriter(), Orders, flushToDisk: false);
        await Assert.ThrowsAnyAsync<IOException>(() => second.CommitAsync(Batch(messages, 0), 0, 19, 0, CancellationToken.None));

        var snapshot = await OpenReader().LoadSnapshotAsync(CancellationToken.None);
        Assert.Equal(20, snapshot.GetCommittedEnd(0));
        Assert.Equal(messages.Count(m => m.Event is not null), snapshot.Rows);
        Assert.Single(await OpenReader().ReadCommitsAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task Committing_requires_the_files_written_aside()
    {
        var path = MasterDatasetLayout.FlushFile(Orders.Name, 0, 3, 3);
        var day = new DatasetFileDay(new DateOnly(2026, 11, 23), 1, 3, 3, 1_795_392_000_000, 1_795_392_000_000);
        var commit = new DatasetCommit
        {
            FormatVersion = DatasetCommit.FlushFormatVersion,
            Source = Orders.Name,
            Partition = 0,
            FirstOffset = 0,
            LastOffset = 9,
            ValidEvents = 1,
            InvalidEvents = 9,
            CreatedAt = DateTimeOffset.UnixEpoch,
            Files = [new DatasetFile(path, 0, null, null, 1, 3, 3, day.MinEventTime, day.MaxEventTime, [day])],
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenWriter().CommitAsync(commit, false, CancellationToken.None));

        Assert.Contains("has not been written aside", error.Message, StringComparison.Ordinal);
        Assert.Empty(await OpenReader().ReadCommitsAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task Recovery_deletes_the_local_temporary_files_of_its_partitions_only()
    {
        var messages = OrderDatasets.Messages(Orders, 100, 2, seed: 13);
        var writer = new MasterDatasetWriter(OpenWriter(), Orders, flushToDisk: false);
        foreach (var partition in messages.GroupBy(m => m.Partition))
        {
            var chunk = partition.OrderBy(m => m.Offset).ToArray();
            await writer.CommitAsync(Batch(chunk, partition.Key), chunk[0].Offset, chunk[^1].Offset, chunk.Count(m => m.Event is null), CancellationToken.None);
        }

        var mine = MasterDatasetLayout.Resolve(RootPath, MasterDatasetLayout.FlushFile(Orders.Name, 0, 50, 60)) + MasterDatasetLayout.TempSuffix;
        var other = MasterDatasetLayout.Resolve(RootPath, MasterDatasetLayout.FlushFile(Orders.Name, 1, 50, 60)) + MasterDatasetLayout.TempSuffix;
        foreach (var path in new[] { mine, other })
        {
            await File.WriteAllTextAsync(path, "partial");
        }

        var recovery = await OpenWriter().RecoverAsync(new HashSet<int> { 0 }, CancellationToken.None);

        Assert.True(recovery.TempFilesDeleted >= 1);
        Assert.False(File.Exists(mine));
        Assert.True(File.Exists(other));
        Assert.Equal(50, (await OpenReader().LoadSnapshotAsync(CancellationToken.None)).GetCommittedEnd(0));
    }

    [Fact]
    public async Task A_compaction_replaces_its_run_whole_for_a_reader_elsewhere_and_a_second_replace_of_that_run_is_refused()
    {
        var messages = OrderDatasets.Messages(Orders, 400, 2, seed: 14);
        await CommitInChunksAsync(messages, 50);

        var before = await OpenReader().LoadSnapshotAsync(CancellationToken.None);
        var run = await OpenWriter().ReadCommitsAsync(new HashSet<int> { 0 }, CancellationToken.None);

        var result = await new MasterDatasetCompactor(OpenWriter(), Orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);

        Assert.Equal(8, result.RecordsSuperseded);
        Assert.Equal(2, result.RecordsWritten);
        var reader = OpenReader();
        var after = await reader.LoadSnapshotAsync(CancellationToken.None);
        var commits = await reader.ReadCommitsAsync(null, CancellationToken.None);
        Assert.Equal(2, commits.Count);
        Assert.All(commits, c => Assert.True(c.IsCompaction, c.FileName));
        Assert.Equal(before.CommittedEnds, after.CommittedEnds);
        Assert.True(after.Files.Count < before.Files.Count, $"{after.Files.Count} files after, {before.Files.Count} before");
        Assert.All(after.Files, f => Assert.Equal(DatasetFileKind.Day, f.Kind));
        Assert.Empty(Directory.GetFiles(reader.Root, "*" + MasterDatasetLayout.CompactingSuffix, SearchOption.AllDirectories));
        foreach (var partition in new[] { 0, 1 })
        {
            var positions = new List<long>();
            await new MasterDatasetReplayReader(Orders).ReadPartitionAsync(after, partition, 0, (_, position) => positions.Add(position), CancellationToken.None);
            Assert.Equal(messages.Where(m => m.Partition == partition && m.Event is not null).Select(m => m.Offset).Order(), positions.Order());
        }

        // A second compactor that planned from the same commits and wrote its merged files aside comes too late.
        var late = commits.Single(c => c.Partition == 0) with { CreatedAt = DateTimeOffset.UtcNow };
        foreach (var file in late.Files)
        {
            var local = MasterDatasetLayout.Resolve(RootPath, file.Path);
            if (File.Exists(local))
            {
                File.Copy(local, local + MasterDatasetLayout.CompactingSuffix);
            }
        }

        await Assert.ThrowsAnyAsync<IOException>(() => OpenWriter().ReplaceAsync(late, run, false, CancellationToken.None));
        Assert.Equal(after.Files.Select(f => f.Path), (await OpenReader().LoadSnapshotAsync(CancellationToken.None)).Files.Select(f => f.Path));
    }

    [Fact]
    public async Task Measuring_counts_the_files_and_bytes_of_the_commits_in_force_without_copying_them()
    {
        var measurer = OpenReader();
        Assert.Equal(new MasterDatasetSize(0, 0), await measurer.MeasureAsync(CancellationToken.None));
        await CommitInChunksAsync(OrderDatasets.Messages(Orders, 300, 2, seed: 15), 50);

        var copies = ParquetFiles(measurer.Root);

        var size = await measurer.MeasureAsync(CancellationToken.None);

        var snapshot = await OpenReader().LoadSnapshotAsync(CancellationToken.None);
        Assert.Equal(snapshot.Files.Count, size.Files);
        Assert.Equal(snapshot.Files.Sum(f => new FileInfo(snapshot.GetPath(f)).Length), size.Bytes);
        Assert.Equal(copies, ParquetFiles(measurer.Root));
    }

    private static int ParquetFiles(string root) =>
        Directory.Exists(root) ? Directory.GetFiles(root, "*.parquet", SearchOption.AllDirectories).Length : 0;

    /// <summary>Commits <paramref name="messages"/> through a writer on <see cref="OpenWriter"/>, per partition in chunks of <paramref name="size"/> offsets.</summary>
    private protected async Task CommitInChunksAsync(IEnumerable<OrderMessage> messages, int size)
    {
        var writer = new MasterDatasetWriter(OpenWriter(), Orders, flushToDisk: false);
        foreach (var partition in messages.GroupBy(m => m.Partition))
        {
            foreach (var chunk in partition.OrderBy(m => m.Offset).Chunk(size))
            {
                await writer.CommitAsync(Batch(chunk, partition.Key), chunk[0].Offset, chunk[^1].Offset, chunk.Count(m => m.Event is null), CancellationToken.None);
            }
        }
    }

    private protected MasterPartitionBatch Batch(IEnumerable<OrderMessage> messages, int partition)
    {
        var batch = new MasterPartitionBatch(Orders, partition);
        foreach (var m in messages.Where(m => m.Event is not null))
        {
            batch.Add(m.Event!, m.Offset);
        }

        return batch;
    }
}
