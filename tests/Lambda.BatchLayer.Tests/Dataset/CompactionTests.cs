using System.Globalization;
using Lambda.Testing;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Tests.AdHoc;
using Lambda.Shared.Catalog;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.BatchLayer.Tests.Dataset;

public sealed partial class CompactionTests : IDisposable
{
    private const int Total = 3000;
    private static readonly HashSet<int> Partitions = [0, 1];
    private readonly TestDirectory _root = new("compaction");
    private readonly SourceDefinition _orders = TestCatalogs.Default.GetSource("orders");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Compaction_keeps_every_row_and_the_committed_ends_and_reduces_the_files()
    {
        await OrderDatasets.WriteAsync(_root.Path, _orders, OrderDatasets.Messages(_orders, Total, 2, seed: 11), perCommit: 50);
        var log = new CommitLog(_root.Path, _orders.Name);
        var before = await DatasetContents.ReadAsync(_root.Path, _orders);
        var recordsBefore = log.ReadCommits().Count;

        var result = await new MasterDatasetCompactor(_root.Path, _orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);
        var after = await DatasetContents.ReadAsync(_root.Path, _orders);

        after.AssertSameAs(before, "after compaction");
        Assert.Equal(before.Checksum, after.Checksum);
        Assert.Equal(before.CountsByPartition, after.CountsByPartition);
        Assert.Equal(before.Files, result.FilesBefore);
        Assert.Equal(after.Files, result.FilesAfter);
        // Before: one flush file per commit; after: one day file per (partition, UTC date) holding rows.
        Assert.Equal(recordsBefore, before.Files);
        Assert.True(DaysHoldingRows(before) < HoursHoldingRows(before), "the rows must touch several hours of a day");
        Assert.Equal(DaysHoldingRows(before), after.Files);
        Assert.Equal(recordsBefore, result.RecordsSuperseded);
        // Each flush file touches several days and is read once all the same.
        Assert.Equal(before.Files, result.FilesRead);
        var records = log.ReadCommits();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(DatasetCommit.CompactionFormatVersion, r.FormatVersion));
        Assert.Equal(Total / 2 / 50, records[0].Supersedes!.Count);
        Assert.Equal(Total / 2, log.GetResumeOffset(0));
        Assert.Equal(Total / 2, log.GetResumeOffset(1));
        Assert.Empty(Directory.GetFiles(_root.Path, "*" + MasterDatasetLayout.CompactingSuffix, SearchOption.AllDirectories));
        // Nothing but the snapshot's files is left on disk.
        var snapshot = MasterDatasetSnapshot.Load(_root.Path, _orders.Name);
        Assert.Equal(
            snapshot.Files.Select(snapshot.GetPath).Order(StringComparer.Ordinal),
            Directory.GetFiles(_root.Path, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        await AssertDayFilesAsync(_root.Path, before);
    }

    [Fact]
    public async Task Hour_files_of_earlier_builds_and_flush_files_after_them_are_compacted_into_day_files()
    {
        // Format 1 commits with one hour file each, as earlier archivers wrote them, then flush files.
        var old = MasterDatasetTestFiles.Orders(600);
        await MasterDatasetTestFiles.WriteOrdersAsync(_root.Path, old);
        var ends = old.GroupBy(o => o.Partition).ToDictionary(g => g.Key, g => g.Max(o => o.Offset) + 1);
        await OrderDatasets.WriteAsync(_root.Path, _orders, OrderDatasets.Messages(_orders, 900, 3, seed: 17, nextOffsets: ends), perCommit: 100);
        var before = await DatasetContents.ReadAsync(_root.Path, _orders);
        var hourFiles = Directory.GetDirectories(_root.Path, "hour=*", SearchOption.AllDirectories);
        Assert.NotEmpty(hourFiles);

        var result = await new MasterDatasetCompactor(_root.Path, _orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);

        var after = await DatasetContents.ReadAsync(_root.Path, _orders);
        after.AssertSameAs(before, "after compaction");
        Assert.Equal(DaysHoldingRows(before), after.Files);
        Assert.Equal(3, new CommitLog(_root.Path, _orders.Name).ReadCommits().Count);
        Assert.Equal(before.Files, result.RecordsSuperseded);
        Assert.DoesNotContain(Directory.GetFiles(_root.Path, "*.parquet", SearchOption.AllDirectories), f => f.Contains("hour=", StringComparison.Ordinal));
        await AssertDayFilesAsync(_root.Path, before);

        // A later run merges new flush files into the days they touch and keeps the day files of the other days as they are.
        var last = new CommitLog(_root.Path, _orders.Name).ReadCommits().ToDictionary(c => c.Partition);
        var untouched = last[0].Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var late = OrderDatasets.Messages(_orders, 30, 3, seed: 18, total: 30_000, nextOffsets: after.Ends);
        await OrderDatasets.WriteAsync(_root.Path, _orders, late, perCommit: 10);
        var beforeSecond = await DatasetContents.ReadAsync(_root.Path, _orders);
        var second = await new MasterDatasetCompactor(_root.Path, _orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);

        (await DatasetContents.ReadAsync(_root.Path, _orders)).AssertSameAs(beforeSecond, "after the second compaction");
        Assert.Equal(DaysHoldingRows(beforeSecond), second.FilesAfter);
        Assert.Equal(3 + 3, second.FilesRead); // per partition the late commit's flush file and the day file of the day it touches
        var lateDays = late.Where(m => m.Event is not null && m.Partition == 0).Select(m => UtcDay.Of(m.Event!.TimestampMilliseconds)).ToHashSet();
        var kept = new CommitLog(_root.Path, _orders.Name).ReadCommits().Single(c => c.Partition == 0).Files
            .Where(f => untouched.Contains(f.Path)).Select(f => f.Date!.Value).ToHashSet();
        Assert.NotEmpty(kept);
        Assert.Empty(kept.Intersect(lateDays));
        await AssertDayFilesAsync(_root.Path, beforeSecond);
    }

    [Fact]
    public async Task Only_commits_older_than_the_minimum_age_are_compacted_in_runs_up_to_the_size_bound()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var writer = new MasterDatasetWriter(_root.Path, _orders, flushToDisk: false, time: clock);
        var messages = OrderDatasets.Messages(_orders, 1000, 1, seed: 12);
        var commits = new List<DatasetCommit>();
        foreach (var chunk in messages.Chunk(100))
        {
            var batch = new MasterPartitionBatch(_orders, 0);
            foreach (var m in chunk.Where(m => m.Event is not null))
            {
                batch.Add(m.Event!, m.Offset);
            }

            commits.Add(await writer.CommitAsync(batch, chunk[0].Offset, chunk[^1].Offset, chunk.Count(m => m.Event is null), CancellationToken.None));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        // Now 12:10; commits written 12:00..12:09; with a 5-minute minimum age 12:00..12:05 qualify.
        var bound = commits.Take(3).Sum(c => c.ValidEvents);
        var compactor = new MasterDatasetCompactor(_root.Path, _orders, flushToDisk: false, time: clock);
        var runs = await compactor.PlanAsync(TimeSpan.FromMinutes(5), bound, CancellationToken.None);

        var planned = runs.SelectMany(r => r).ToList();
        Assert.NotEmpty(runs);
        Assert.Equal(commits.Take(planned.Count).Select(c => c.FileName), planned.Select(c => c.FileName));
        Assert.InRange(planned.Count, 4, 6);
        Assert.All(runs, r => Assert.True(r.Count >= 2 && r.Sum(c => c.ValidEvents) <= bound));
        Assert.Equal(commits.Take(3).Select(c => c.FileName), runs[0].Select(c => c.FileName));

        var before = await DatasetContents.ReadAsync(_root.Path, _orders);
        await compactor.CompactAsync(TimeSpan.FromMinutes(5), bound, CancellationToken.None);
        (await DatasetContents.ReadAsync(_root.Path, _orders)).AssertSameAs(before, "after compaction");
        var records = new CommitLog(_root.Path, _orders.Name).ReadCommits();
        Assert.Equal(runs.Count + (commits.Count - planned.Count), records.Count);
        Assert.All(commits.Skip(6), c => Assert.Contains(records, r => r.FileName == c.FileName && !r.IsCompaction));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_compaction_stopped_after_any_step_leaves_readers_and_the_archiver_the_same_rows_and_ends(bool overEarlierCompaction)
    {
        int steps, filesAfter;
        using (var probe = new TestDirectory("compaction-probe"))
        {
            await BuildAsync(probe.Path, overEarlierCompaction);
            var counted = new MasterDatasetCompactor(probe.Path, _orders, flushToDisk: false);
            var n = 0;
            counted.AfterStep = _ => n++;
            await counted.CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);
            steps = n;
            filesAfter = MasterDatasetSnapshot.Load(probe.Path, _orders.Name).Files.Count;
        }

        Assert.True(steps > 10, $"only {steps} steps");
        for (var stop = 0; stop < steps; stop++)
        {
            using var directory = new TestDirectory("compaction-crash");
            var root = directory.Path;
            await BuildAsync(root, overEarlierCompaction);
            var log = new CommitLog(root, _orders.Name);
            var expected = await DatasetContents.ReadAsync(root, _orders);
            var resume = Partitions.ToDictionary(p => p, log.GetResumeOffset);

            var compactor = new MasterDatasetCompactor(root, _orders, flushToDisk: false);
            var done = 0;
            var at = string.Empty;
            compactor.AfterStep = step =>
            {
                if (done++ == stop)
                {
                    at = step;
                    throw new SimulatedCrash(step);
                }
            };
            await Assert.ThrowsAsync<SimulatedCrash>(() => compactor.CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None));

            (await DatasetContents.ReadAsync(root, _orders)).AssertSameAs(expected, $"stopped after '{at}' (step {stop})");
            Assert.Equal(resume, Partitions.ToDictionary(p => p, log.GetResumeOffset));

            var compacting = CompactingFiles(root);
            log.Recover(Partitions);
            Assert.Equal(compacting, CompactingFiles(root));
            (await DatasetContents.ReadAsync(root, _orders)).AssertSameAs(expected, $"stopped after '{at}', archiver recovered");

            await new MasterDatasetCompactor(root, _orders, flushToDisk: false).RecoverAsync(CancellationToken.None);
            Assert.Empty(CompactingFiles(root));
            var records = log.ReadCommits();
            Assert.DoesNotContain(records, r => records.Any(k => k.IsCompaction && k.Covers(r)));
            (await DatasetContents.ReadAsync(root, _orders)).AssertSameAs(expected, $"stopped after '{at}', compactor recovered");
            Assert.Equal(resume, Partitions.ToDictionary(p => p, log.GetResumeOffset));

            await new MasterDatasetCompactor(root, _orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);
            var final = await DatasetContents.ReadAsync(root, _orders);
            final.AssertSameAs(expected, $"stopped after '{at}', compacted again");
            Assert.Equal(filesAfter, final.Files);
            Assert.Equal(2, log.ReadCommits().Count);
            var snapshot = MasterDatasetSnapshot.Load(root, _orders.Name);
            Assert.Equal(
                snapshot.Files.Select(snapshot.GetPath).Order(StringComparer.Ordinal),
                Directory.GetFiles(root, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task A_compaction_beside_the_archiver_committing_and_recovering_keeps_every_commit()
    {
        var first = OrderDatasets.Messages(_orders, 2000, 2, seed: 16, total: 12_000);
        var ends = first.GroupBy(m => m.Partition).ToDictionary(g => g.Key, g => g.Max(m => m.Offset) + 1);
        var second = OrderDatasets.Messages(_orders, 1000, 2, seed: 16, firstIndex: 2000, total: 12_000, nextOffsets: ends);
        using var reference = new TestDirectory("compaction-reference");
        await OrderDatasets.WriteAsync(reference.Path, _orders, first.Concat(second), perCommit: 40);
        var expected = await DatasetContents.ReadAsync(reference.Path, _orders);
        await OrderDatasets.WriteAsync(_root.Path, _orders, first, perCommit: 40);
        var log = new CommitLog(_root.Path, _orders.Name);

        // The archiver commits beside a compaction...
        var compaction = Task.Run(() => new MasterDatasetCompactor(_root.Path, _orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None));
        var archiving = Task.Run(() => OrderDatasets.WriteAsync(_root.Path, _orders, second.Take(480), perCommit: 40));
        await Task.WhenAll(compaction, archiving);
        await OrderDatasets.WriteAsync(_root.Path, _orders, second.Skip(480), perCommit: 40);
        (await DatasetContents.ReadAsync(_root.Path, _orders)).AssertSameAs(expected, "after compaction beside archiving");

        // ...and a restarted archiver recovers its partitions beside one (its recovery never runs beside its own commits).
        compaction = Task.Run(() => new MasterDatasetCompactor(_root.Path, _orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None));
        var recoveries = 0;
        while (!compaction.IsCompleted)
        {
            log.Recover(Partitions);
            recoveries++;
        }

        var secondRun = await compaction;
        Assert.True(secondRun.RecordsSuperseded > 0);
        (await DatasetContents.ReadAsync(_root.Path, _orders)).AssertSameAs(expected, $"after compaction beside {recoveries} archiver recoveries");
        Assert.Equal(Partitions.ToDictionary(p => p, p => (long?)expected.Ends[p]), Partitions.ToDictionary(p => p, log.GetResumeOffset));
        Assert.Contains(log.ReadCommits(), r => r.IsCompaction);
    }

    [Fact]
    public async Task Recovery_deletes_the_files_of_a_compaction_that_never_wrote_its_record()
    {
        await OrderDatasets.WriteAsync(_root.Path, _orders, OrderDatasets.Messages(_orders, 400, 2, seed: 13), perCommit: 50);
        var before = await DatasetContents.ReadAsync(_root.Path, _orders);
        var data = Path.Combine(MasterDatasetLayout.SourceDirectory(_root.Path, _orders.Name), "date=2026-11-23", "hour=05", "p0-0-99.parquet" + MasterDatasetLayout.CompactingSuffix);
        var record = Path.Combine(MasterDatasetLayout.CommitDirectory(_root.Path, _orders.Name), "p0-0-99.json.0123" + MasterDatasetLayout.CompactingSuffix);
        foreach (var path in new[] { data, record })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, "partial");
        }

        var archiver = new CommitLog(_root.Path, _orders.Name).Recover(Partitions);
        Assert.Equal(0, archiver.TempFilesDeleted);
        var recovery = await new MasterDatasetCompactor(_root.Path, _orders, flushToDisk: false).RecoverAsync(CancellationToken.None);

        Assert.Equal(new CompactionRecovery(0, 0, 0, 2), recovery);
        Assert.False(File.Exists(data));
        Assert.False(File.Exists(record));
        (await DatasetContents.ReadAsync(_root.Path, _orders)).AssertSameAs(before, "after recovery");
    }

    [Fact]
    public async Task Archive_commits_are_format_3_and_compaction_records_must_name_what_they_supersede()
    {
        await OrderDatasets.WriteAsync(_root.Path, _orders, OrderDatasets.Messages(_orders, 200, 1, seed: 14), perCommit: 100);
        var directory = MasterDatasetLayout.CommitDirectory(_root.Path, _orders.Name);
        var json = await File.ReadAllTextAsync(Path.Combine(directory, "p0-0-99.json"));
        using (var document = JsonDocument.Parse(json))
        {
            Assert.Equal(3, document.RootElement.GetProperty("formatVersion").GetInt32());
            Assert.False(document.RootElement.TryGetProperty("supersedes", out _));
        }

        var log = new CommitLog(_root.Path, _orders.Name);
        await new MasterDatasetCompactor(_root.Path, _orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);
        var compacted = Assert.Single(log.ReadCommits());
        Assert.Equal(["p0-0-99.json", "p0-100-199.json"], compacted.Supersedes);

        var path = Path.Combine(directory, compacted.FileName);
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text.Replace("\"p0-100-199.json\"", "\"p0-100-198.json\"", StringComparison.Ordinal));
        var error = Assert.Throws<InvalidDataException>(() => log.ReadCommits());
        Assert.Contains("supersedes", error.Message, StringComparison.Ordinal);

        await File.WriteAllTextAsync(path, text.Replace("\"formatVersion\":2", "\"formatVersion\":1", StringComparison.Ordinal));
        error = Assert.Throws<InvalidDataException>(() => log.ReadCommits());
        Assert.Contains("may not have supersedes", error.Message, StringComparison.Ordinal);

        // Day files only in compaction records, and only with event times on their date.
        var supersedes = text[text.IndexOf(",\"supersedes\"", StringComparison.Ordinal)..text.LastIndexOf('}')];
        await File.WriteAllTextAsync(path, text.Replace("\"formatVersion\":2", "\"formatVersion\":1", StringComparison.Ordinal).Replace(supersedes, string.Empty, StringComparison.Ordinal));
        error = Assert.Throws<InvalidDataException>(() => log.ReadCommits());
        Assert.Contains("a day file in an archive commit", error.Message, StringComparison.Ordinal);

        Assert.All(compacted.Files, f => Assert.Equal(DatasetFileKind.Day, f.Kind));
        var file = compacted.Files[0];
        var minEventTime = $"\"minEventTime\":{file.MinEventTime.ToString(CultureInfo.InvariantCulture)}";
        Assert.Contains(minEventTime, text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, text.Replace(minEventTime, $"\"minEventTime\":{(file.MinEventTime - 86_400_000).ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal));
        error = Assert.Throws<InvalidDataException>(() => log.ReadCommits());
        Assert.Contains("do not lie on", error.Message, StringComparison.Ordinal);
    }

    private async Task BuildAsync(string root, bool overEarlierCompaction)
    {
        if (!overEarlierCompaction)
        {
            await OrderDatasets.WriteAsync(root, _orders, OrderDatasets.Messages(_orders, 240, 2, seed: 15, total: 2400), perCommit: 40);
            return;
        }

        // Events over a tenth of the generator's days, so that consecutive commits share hours.
        await OrderDatasets.WriteAsync(root, _orders, OrderDatasets.Messages(_orders, 160, 2, seed: 15, total: 2400), perCommit: 40);
        await new MasterDatasetCompactor(root, _orders, flushToDisk: false).CompactAsync(TimeSpan.Zero, 1_000_000, CancellationToken.None);
        var ends = MasterDatasetSnapshot.Load(root, _orders.Name).CommittedEnds;
        await OrderDatasets.WriteAsync(root, _orders, OrderDatasets.Messages(_orders, 80, 2, seed: 15, firstIndex: 160, total: 2400, nextOffsets: ends), perCommit: 40);
    }

    private static string[] CompactingFiles(string root) =>
        Directory.GetFiles(root, "*" + MasterDatasetLayout.CompactingSuffix, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Every Parquet file on disk is a day file named <c>date=D/p&lt;partition&gt;-&lt;min&gt;-&lt;max&gt;.parquet</c>, one per
    /// (partition, D), holding exactly the rows of <paramref name="expected"/> of that partition whose event time lies on D,
    /// sorted by event time, then offset.
    /// </summary>
    private async Task AssertDayFilesAsync(string root, DatasetContents expected)
    {
        var batch = new MasterRowBatch(new MasterFileSchema(_orders));
        var seen = new HashSet<(int, string)>();
        var rows = new Dictionary<(int, string), List<long>>();
        foreach (var path in Directory.GetFiles(root, "*.parquet", SearchOption.AllDirectories))
        {
            var name = DayFileName().Match(path.Replace('\\', '/'));
            Assert.True(name.Success, $"'{path}' is not a day file");
            var (date, partition) = (name.Groups[1].Value, int.Parse(name.Groups[2].Value, CultureInfo.InvariantCulture));
            Assert.True(seen.Add((partition, date)), $"two files of partition {partition} on {date}");
            var offsets = rows[(partition, date)] = [];
            var previous = (Time: long.MinValue, Offset: -1L);
            await MasterFileReader.ReadAsync(path, batch, b =>
            {
                for (var i = 0; i < b.Count; i++)
                {
                    var row = (Time: b.EventTimes[i], Offset: b.Offsets[i]);
                    Assert.Equal(partition, b.Partitions[i]);
                    Assert.Equal(date, DateTimeOffset.FromUnixTimeMilliseconds(row.Time).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    Assert.True(row.CompareTo(previous) > 0, $"{path}: row {row} after {previous}");
                    previous = row;
                    offsets.Add(row.Offset);
                }
            }, CancellationToken.None);
            Assert.Equal(name.Groups[3].Value, offsets.Min().ToString(CultureInfo.InvariantCulture));
            Assert.Equal(name.Groups[4].Value, offsets.Max().ToString(CultureInfo.InvariantCulture));
        }

        var oracle = expected.Rows.GroupBy(r => (r.Key.Partition, DateTimeOffset.FromUnixTimeMilliseconds(Time(r.Value)).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        Assert.Equal(oracle.Count(), rows.Count);
        foreach (var day in oracle)
        {
            Assert.True(rows.TryGetValue(day.Key, out var offsets), $"no day file of {day.Key}");
            Assert.Equal(day.Select(r => r.Key.Offset).Order(), offsets.Order());
        }
    }

    private static long Time(string row) => long.Parse(row.Split('|')[0], CultureInfo.InvariantCulture);

    /// <summary>Distinct (partition, UTC date, UTC hour) of the rows, from their event times.</summary>
    internal static int HoursHoldingRows(DatasetContents contents) =>
        contents.Rows.Select(r => (r.Key.Partition, Hour: Time(r.Value) / 3_600_000)).Distinct().Count();

    /// <summary>Distinct (partition, UTC date) of the rows, from their event times.</summary>
    internal static int DaysHoldingRows(DatasetContents contents) =>
        contents.Rows.Select(r => (r.Key.Partition, Day: Time(r.Value) / 86_400_000)).Distinct().Count();

    [GeneratedRegex(@"/date=([0-9]{4}-[0-9]{2}-[0-9]{2})/p([0-9]+)-([0-9]+)-([0-9]+)\.parquet$")]
    private static partial Regex DayFileName();
}
