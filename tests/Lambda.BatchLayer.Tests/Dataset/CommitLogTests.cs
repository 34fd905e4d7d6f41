using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Dataset;

public sealed class CommitLogTests : IDisposable
{
    private readonly TestDirectory _root = new("commit-log");
    private readonly SourceDefinition _orders = TestCatalogs.Default.GetSource("orders");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_commit_publishes_its_files_and_sets_the_resume_offset()
    {
        var messages = OrderDatasets.Messages(_orders, 600, 2, seed: 1);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages, perCommit: 100);
        var log = new CommitLog(_root.Path, _orders.Name);

        var commits = log.ReadCommits();
        var snapshot = MasterDatasetSnapshot.Load(_root.Path, _orders.Name);

        Assert.Equal(6, commits.Count);
        Assert.Equal(300, log.GetResumeOffset(0));
        Assert.Equal(300, log.GetResumeOffset(1));
        Assert.Null(log.GetResumeOffset(2));
        Assert.Equal(new Dictionary<int, long> { [0] = 300, [1] = 300 }, snapshot.CommittedEnds);
        Assert.Equal(messages.Count(m => m.Event is not null), snapshot.Rows);
        Assert.Equal(messages.Count(m => m.Event is null), commits.Sum(c => c.InvalidEvents));
        Assert.All(snapshot.Files, f => Assert.True(File.Exists(snapshot.GetPath(f))));
        Assert.Empty(Directory.GetFiles(_root.Path, "*.tmp", SearchOption.AllDirectories));
        // One flush file per commit, whatever the spread of event times; its days are listed in the record.
        Assert.Equal(commits.Count, snapshot.Files.Count);
        Assert.All(snapshot.Files, f => Assert.Matches(@"^master/orders/flush/p[01]-\d+-\d+\.parquet$", f.Path));
        Assert.All(commits, c => Assert.Equal(DatasetCommit.FlushFormatVersion, c.FormatVersion));
        var expectedDays = messages.Where(m => m.Event is not null)
            .GroupBy(m => (m.Partition, Day: DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(m.Event!.TimestampMilliseconds).UtcDateTime)))
            .ToDictionary(g => g.Key, g => (long)g.Count());
        var listedDays = snapshot.Files.SelectMany(f => f.Days!.Select(d => (f.Partition, d.Date, d.Rows)))
            .GroupBy(d => (d.Partition, Day: d.Date))
            .ToDictionary(g => g.Key, g => g.Sum(d => d.Rows));
        Assert.Equal(expectedDays.OrderBy(e => e.Key), listedDays.OrderBy(e => e.Key));
    }

    [Fact]
    public async Task Recovery_rolls_a_commit_forward_whose_files_are_still_written_aside()
    {
        var commit = await CommitWithoutPublishingAsync(partition: 0, count: 200);
        var log = new CommitLog(_root.Path, _orders.Name);

        var before = MasterDatasetSnapshot.Load(_root.Path, _orders.Name);
        var recovery = log.Recover(new HashSet<int> { 0 });
        var after = MasterDatasetSnapshot.Load(_root.Path, _orders.Name);

        Assert.Empty(before.Files);
        Assert.Equal(0, before.GetCommittedEnd(0));
        Assert.Equal(commit.Files.Count, recovery.FilesRolledForward);
        Assert.Equal(0, recovery.TempFilesDeleted);
        Assert.Equal(commit.LastOffset + 1, after.GetCommittedEnd(0));
        Assert.Equal(commit.ValidEvents, after.Rows);
        Assert.Empty(Directory.GetFiles(_root.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Recovery_deletes_uncommitted_temporary_files_of_its_partitions_only()
    {
        await OrderDatasets.WriteAsync(_root.Path, _orders, OrderDatasets.Messages(_orders, 100, 2, seed: 2), perCommit: 100);
        var orphanData = Path.Combine(MasterDatasetLayout.SourceDirectory(_root.Path, _orders.Name), "date=2026-11-23", "hour=05", "p0-50-60.parquet.tmp");
        var orphanCommit = Path.Combine(MasterDatasetLayout.CommitDirectory(_root.Path, _orders.Name), "p0-50-60.json.0123.tmp");
        var otherPartition = Path.Combine(MasterDatasetLayout.SourceDirectory(_root.Path, _orders.Name), "date=2026-11-23", "hour=05", "p1-50-60.parquet.tmp");
        foreach (var path in new[] { orphanData, orphanCommit, otherPartition })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, "partial");
        }

        var recovery = new CommitLog(_root.Path, _orders.Name).Recover(new HashSet<int> { 0 });

        Assert.Equal(2, recovery.TempFilesDeleted);
        Assert.False(File.Exists(orphanData));
        Assert.False(File.Exists(orphanCommit));
        Assert.True(File.Exists(otherPartition));
        Assert.Equal(50, MasterDatasetSnapshot.Load(_root.Path, _orders.Name).GetCommittedEnd(0));
    }

    [Fact]
    public async Task A_commit_whose_files_exist_nowhere_is_reported_as_damage()
    {
        var commit = await CommitWithoutPublishingAsync(partition: 0, count: 100);
        File.Delete(MasterDatasetLayout.Resolve(_root.Path, commit.Files[0].Path) + MasterDatasetLayout.TempSuffix);

        var error = Assert.Throws<InvalidDataException>(() => new CommitLog(_root.Path, _orders.Name).Recover(new HashSet<int> { 0 }));

        Assert.Contains(commit.Files[0].Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_range_cannot_be_committed_twice_and_overlapping_ranges_are_reported()
    {
        var writer = new MasterDatasetWriter(_root.Path, _orders, flushToDisk: false);
        var messages = OrderDatasets.Messages(_orders, 30, 1, seed: 3);
        await writer.CommitAsync(Batch(messages.Take(20), 0), 0, 19, 0, CancellationToken.None);

        await Assert.ThrowsAnyAsync<IOException>(() => writer.CommitAsync(Batch(messages.Take(20), 0), 0, 19, 0, CancellationToken.None));
        await writer.CommitAsync(Batch(messages.Skip(20), 0), 10, 29, 0, CancellationToken.None);
        var error = Assert.Throws<InvalidDataException>(() => MasterDatasetSnapshot.Load(_root.Path, _orders.Name));

        Assert.Contains("p0-0-19.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("p0-10-29.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("overlap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_ends_before_the_first_incomplete_commit_of_a_partition()
    {
        var messages = OrderDatasets.Messages(_orders, 300, 1, seed: 4);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages.Take(100), perCommit: 100);
        var writer = new MasterDatasetWriter(_root.Path, _orders, flushToDisk: false);
        var middle = await writer.CommitAsync(Batch(messages.Skip(100).Take(100), 0), 100, 199, 0, CancellationToken.None);
        await writer.CommitAsync(Batch(messages.Skip(200), 0), 200, 299, 0, CancellationToken.None);
        var moved = MasterDatasetLayout.Resolve(_root.Path, middle.Files[^1].Path);
        File.Move(moved, moved + MasterDatasetLayout.TempSuffix);

        var snapshot = MasterDatasetSnapshot.Load(_root.Path, _orders.Name);

        Assert.Equal(100, snapshot.GetCommittedEnd(0));
        Assert.All(snapshot.Files, f => Assert.True(f.MaxOffset < 100));
        Assert.Equal(messages.Take(100).Count(m => m.Event is not null), snapshot.Rows);
    }

    [Fact]
    public async Task Writing_a_commit_requires_its_files_written_aside()
    {
        var log = new CommitLog(_root.Path, _orders.Name);
        var commit = new DatasetCommit
        {
            Source = "orders",
            Partition = 0,
            FirstOffset = 0,
            LastOffset = 9,
            ValidEvents = 1,
            InvalidEvents = 9,
            CreatedAt = DateTimeOffset.UnixEpoch,
            Files = [new DatasetFile(MasterDatasetLayout.DataFile("orders", new DateOnly(2026, 11, 23), 1, 0, 3, 3), 0, new DateOnly(2026, 11, 23), 1, 1, 3, 3, 0, 0)],
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => log.WriteAsync(commit, false, CancellationToken.None));

        Assert.Contains("has not been written aside", error.Message, StringComparison.Ordinal);
        Assert.Empty(log.ReadCommits());
    }

    private MasterPartitionBatch Batch(IEnumerable<OrderMessage> messages, int partition)
    {
        var batch = new MasterPartitionBatch(_orders, partition);
        foreach (var m in messages.Where(m => m.Event is not null))
        {
            batch.Add(m.Event!, m.Offset);
        }

        return batch;
    }

    private async Task<DatasetCommit> CommitWithoutPublishingAsync(int partition, int count)
    {
        // Steps 1 and 2 of the protocol only: what a kill between the commit record and the renames leaves.
        var messages = OrderDatasets.Messages(_orders, count, 1, seed: 5);
        var writer = new MasterDatasetWriter(_root.Path, _orders, flushToDisk: false);
        var commit = await writer.CommitAsync(Batch(messages, partition), 0, count - 1, 0, CancellationToken.None);
        foreach (var file in commit.Files)
        {
            var path = MasterDatasetLayout.Resolve(_root.Path, file.Path);
            File.Move(path, path + MasterDatasetLayout.TempSuffix);
        }

        return commit;
    }
}
