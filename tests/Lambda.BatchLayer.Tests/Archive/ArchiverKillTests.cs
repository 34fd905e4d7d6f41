using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using DuckDB.NET.Data;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Lambda.BatchLayer.Tests.Archive;

/// <summary>
/// The archiver against the development broker, as a real process that is SIGKILLed at random moments
/// (while consuming, writing files aside, committing or renaming) and restarted; and two of them in one consumer group,
/// one SIGKILLed mid-stream; and one on object storage (<c>Storage:Kind=s3</c>), SIGKILLed and restarted.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ArchiverKillTests(ITestOutputHelper output)
{
    private const int Partitions = 64;
    private const int Total = 500_000;
    private const int Kills = 5;
    private const int Seed = 500;

    [Fact]
    public async Task Half_a_million_events_are_archived_exactly_once_through_five_SIGKILLs()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var topic = await DevBrokerAdmin.CreateUniqueTopicAsync("archive-kill", Partitions, cts.Token);
        using var directory = new TestDirectory("archive-kill");
        try
        {
            var (settings, orders, datasetRoot) = await ArchiverSetupAsync(topic.Name, directory, cts.Token);
            var expected = new Expected(orders);
            var random = new Random(Seed);
            var clock = Stopwatch.StartNew();

            // Five waves of messages; after each, an archiver runs for a random while and is killed.
            for (var wave = 0; wave < Kills; wave++)
            {
                await ProduceAsync(topic.Name, wave * (Total / Kills), Total / Kills, expected, cts.Token);
                await using var archiver = ArchiverProcess.Start(settings);
                await archiver.WaitForOutputAsync("assigned partitions", TimeSpan.FromMinutes(2), cts.Token);
                var delay = random.Next(200, 3_000);
                await Task.Delay(delay, cts.Token);
                await archiver.KillAsync();
                var snapshot = MasterDatasetSnapshot.Load(datasetRoot, orders.Name);
                output.WriteLine($"{clock.Elapsed:mm\\:ss} kill {wave + 1} after {delay} ms running: {snapshot.Rows} rows committed; {Recovery(archiver.Output)}");
            }

            await using (var last = ArchiverProcess.Start(settings))
            {
                // The killed runs may have archived everything already; a SIGTERM that lands before the host handles
                // signals ends the process with 143, which would say nothing about a graceful stop.
                await last.WaitForOutputAsync("assigned partitions", TimeSpan.FromMinutes(2), cts.Token);
                await WaitUntilArchivedAsync(datasetRoot, orders, expected, last, cts.Token);
                await last.TerminateAsync(cts.Token);
                output.WriteLine($"{clock.Elapsed:mm\\:ss} final run caught up and stopped: exit code {last.ExitCode}; {Recovery(last.Output)}");
                Assert.True(last.ExitCode == 0, last.Output);
            }

            await AssertExactlyOnceAsync(datasetRoot, orders, expected, cts.Token);
        }
        finally
        {
            await DevBrokerAdmin.DeleteTopicAsync(topic.Name, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Two_archivers_in_one_group_share_the_partitions_and_archive_exactly_once_through_a_SIGKILL()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var topic = await DevBrokerAdmin.CreateUniqueTopicAsync("archive-group", Partitions, cts.Token);
        using var directory = new TestDirectory("archive-group");
        try
        {
            var (settings, orders, datasetRoot) = await ArchiverSetupAsync(topic.Name, directory, cts.Token);
            settings["Batch:Archiver:ConsumerGroupPrefix"] = $"archive-group-{Guid.NewGuid():N}";
            var expected = new Expected(orders);
            const int wave = 50_000;
            var clock = Stopwatch.StartNew();

            await ProduceAsync(topic.Name, 0, wave, expected, cts.Token);
            var first = ArchiverProcess.Start(settings);
            await using var second = ArchiverProcess.Start(settings);
            try
            {
                await first.WaitForOutputAsync("assigned partitions", TimeSpan.FromMinutes(2), cts.Token);
                await second.WaitForOutputAsync("assigned partitions", TimeSpan.FromMinutes(2), cts.Token);

                // Both members hold a share at once: the group split the partitions between them.
                var shares = await WaitForSplitAsync(first, second, cts.Token);
                output.WriteLine($"{clock.Elapsed:mm\\:ss} split: {shares.First.Count} and {shares.Second.Count} partitions");
                Assert.Empty(shares.First.Intersect(shares.Second));

                await ProduceAsync(topic.Name, wave, wave, expected, cts.Token);
                await Task.Delay(1_500, cts.Token);
                await first.KillAsync();
                var killedAt = clock.Elapsed;
                output.WriteLine($"{killedAt:mm\\:ss} SIGKILL the first archiver: {MasterDatasetSnapshot.Load(datasetRoot, orders.Name).Rows} rows committed");
            }
            finally
            {
                await first.DisposeAsync();
            }

            // The survivor takes every partition once the group sees the member gone (session timeout), and catches up.
            await ProduceAsync(topic.Name, 2 * wave, wave, expected, cts.Token);
            var takeover = Stopwatch.StartNew();
            while (LastAssignment(second.Output).Count < Partitions)
            {
                Assert.True(takeover.Elapsed < TimeSpan.FromMinutes(1), $"the survivor did not take every partition:\n{second.Output}");
                await Task.Delay(100, cts.Token);
            }

            output.WriteLine($"{clock.Elapsed:mm\\:ss} the survivor holds all {Partitions} partitions");

            // The killed member comes back and the group splits again while events keep coming.
            await using var restarted = ArchiverProcess.Start(settings);
            await restarted.WaitForOutputAsync("assigned partitions", TimeSpan.FromMinutes(2), cts.Token);
            await ProduceAsync(topic.Name, 3 * wave, wave, expected, cts.Token);
            await WaitUntilArchivedAsync(datasetRoot, orders, expected, second, cts.Token);
            await restarted.TerminateAsync(cts.Token);
            await second.TerminateAsync(cts.Token);
            output.WriteLine($"{clock.Elapsed:mm\\:ss} all {expected.Valid + expected.Invalid} messages archived; exit codes {restarted.ExitCode} and {second.ExitCode}");

            await AssertExactlyOnceAsync(datasetRoot, orders, expected, cts.Token);
        }
        finally
        {
            await DevBrokerAdmin.DeleteTopicAsync(topic.Name, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_member_paused_past_its_session_in_the_middle_of_a_flush_cannot_commit_what_the_other_member_took()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var topic = await DevBrokerAdmin.CreateUniqueTopicAsync("archive-fence", Partitions, cts.Token);
        using var directory = new TestDirectory("archive-fence");
        try
        {
            var (settings, orders, datasetRoot) = await ArchiverSetupAsync(topic.Name, directory, cts.Token);
            var postgres = new NpgsqlConnectionStringBuilder(StackEndpoints.Load().PostgresConnectionString);
            settings["Batch:Archiver:ConsumerGroupPrefix"] = $"archive-fence-{Guid.NewGuid():N}";
            settings["Batch:Archiver:Fencing"] = "true";
            settings["ConnectionStrings:Postgres"] = postgres.ConnectionString;

            // The member to pause reaches PostgreSQL through a proxy the test holds: the fencing check of its next flush is
            // held, so it freezes in the middle of that flush (batches taken, files and records not written yet), and its
            // check waits as long as the test needs (no command timeout).
            await using var proxy = new HoldingTcpProxy(
                new Uri($"tcp://{postgres.Host}:{postgres.Port}"), head => head.Contains("archiver_fences", StringComparison.Ordinal));
            var pausedSettings = new Dictionary<string, string>(settings)
            {
                ["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(postgres.ConnectionString)
                {
                    Host = "127.0.0.1",
                    Port = proxy.Url.Port,
                    CommandTimeout = 0,
                }.ConnectionString,
            };
            var expected = new Expected(orders);
            const int wave = 40_000;
            var clock = Stopwatch.StartNew();

            await using var paused = ArchiverProcess.Start(pausedSettings);
            await using var other = ArchiverProcess.Start(settings);
            await paused.WaitForOutputAsync("assigned partitions", TimeSpan.FromMinutes(2), cts.Token);
            await other.WaitForOutputAsync("assigned partitions", TimeSpan.FromMinutes(2), cts.Token);
            var shares = await WaitForSplitAsync(paused, other, cts.Token);
            output.WriteLine($"{clock.Elapsed:mm\\:ss} split: {shares.First.Count} and {shares.Second.Count} partitions");

            await ProduceAsync(topic.Name, 0, wave, expected, cts.Token);
            await paused.WaitForOutputAsync("Archiver orders: committed", TimeSpan.FromMinutes(2), cts.Token);
            proxy.Hold();
            await ProduceAsync(topic.Name, wave, wave, expected, cts.Token);
            var held = Stopwatch.StartNew();
            while (proxy.HeldRequests == 0)
            {
                Assert.True(held.Elapsed < TimeSpan.FromMinutes(1), $"the member to pause did not flush:\n{paused.Output}");
                await Task.Delay(20, cts.Token);
            }

            await paused.SignalAsync("STOP", cts.Token);
            var stopped = Stopwatch.StartNew();
            output.WriteLine($"{clock.Elapsed:mm\\:ss} SIGSTOP in the middle of a flush: {MasterDatasetSnapshot.Load(datasetRoot, orders.Name).Rows} rows committed");

            // The other member takes every partition once the paused one's session expires, and archives past the paused flush.
            await ProduceAsync(topic.Name, 2 * wave, wave, expected, cts.Token);
            while (LastAssignment(other.Output).Count < Partitions)
            {
                Assert.True(stopped.Elapsed < TimeSpan.FromMinutes(2), $"the other member did not take every partition:\n{other.Output}");
                await Task.Delay(100, cts.Token);
            }

            output.WriteLine($"{clock.Elapsed:mm\\:ss} the other member holds all {Partitions} partitions, {stopped.Elapsed.TotalSeconds:0.0} s after the SIGSTOP");
            await WaitUntilArchivedAsync(datasetRoot, orders, expected, other, cts.Token);
            output.WriteLine($"{clock.Elapsed:mm\\:ss} the other member archived everything produced");

            // The paused member wakes up in its flush: its check goes on, and it either writes (no fence) or drops the flush.
            var woke = paused.Output.Length;
            await paused.SignalAsync("CONT", cts.Token);
            proxy.Release();
            var resumed = Stopwatch.StartNew();
            while (!paused.HasExited && !paused.Output[woke..].Contains("fenced off", StringComparison.Ordinal)
                && !paused.Output[woke..].Contains("Archiver orders: committed", StringComparison.Ordinal))
            {
                Assert.True(resumed.Elapsed < TimeSpan.FromMinutes(2), $"the paused member did not finish its flush:\n{paused.Output}");
                await Task.Delay(100, cts.Token);
            }

            var fenced = Regex.Matches(paused.Output[woke..], @"partition \d+ fenced off").Count;
            output.WriteLine($"{clock.Elapsed:mm\\:ss} SIGCONT: the paused member's flush ended; {fenced} partitions fenced off");

            // Both go on together; every offset is stored exactly once and the snapshot reads (no overlapping commits).
            await ProduceAsync(topic.Name, 3 * wave, wave, expected, cts.Token);
            await WaitUntilArchivedAsync(datasetRoot, orders, expected, other, cts.Token);
            await paused.TerminateAsync(cts.Token);
            await other.TerminateAsync(cts.Token);
            output.WriteLine($"{clock.Elapsed:mm\\:ss} all {expected.Valid + expected.Invalid} messages archived; exit codes {paused.ExitCode} and {other.ExitCode}");
            Assert.True(paused.ExitCode == 0, paused.Output);
            Assert.Equal(expected.Valid, MasterDatasetSnapshot.Load(datasetRoot, orders.Name).Rows);
            await AssertExactlyOnceAsync(datasetRoot, orders, expected, cts.Token);
            Assert.True(fenced > 0, $"the paused member's flush was not fenced off:\n{paused.Output}");
        }
        finally
        {
            await DevBrokerAdmin.DeleteTopicAsync(topic.Name, CancellationToken.None);
        }
    }

    [Fact]
    public async Task On_object_storage_events_are_archived_exactly_once_through_a_SIGKILL_and_a_restart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var topic = await DevBrokerAdmin.CreateUniqueTopicAsync("archive-s3", Partitions, cts.Token);
        using var directory = new TestDirectory("archive-s3");
        using var elsewhere = new TestDirectory("archive-s3-reader");
        await using var s3 = S3TestStore.Create();
        await using var schema = await PostgresTestSchema.CreateAsync("it_archive");
        try
        {
            var (settings, orders, _) = await ArchiverSetupAsync(topic.Name, directory, cts.Token);
            settings["Storage:Kind"] = "s3";
            settings["Storage:ServiceUrl"] = s3.Options.ServiceUrl!;
            settings["Storage:Bucket"] = s3.Options.Bucket!;
            settings["Storage:Prefix"] = s3.Options.Prefix;
            settings["Storage:AccessKey"] = s3.Options.AccessKey!;
            settings["Storage:SecretKey"] = s3.Options.SecretKey!;
            settings["ConnectionStrings:Postgres"] = new Npgsql.NpgsqlConnectionStringBuilder(StackEndpoints.Load().PostgresConnectionString) { SearchPath = schema.Name }.ConnectionString;
            // A reader on another machine: an empty root of its own, the records and files from the shared storage.
            var reader = new ObjectStoreCommitLog(
                elsewhere.Path, orders.Name, s3.Store, schema.DataSource,
                new Lambda.Shared.Postgres.PostgresSchemaGate(MasterCommitCatalogSchema.SchemaLockKey, MasterCommitCatalogSchema.Statements),
                TimeSpan.FromMinutes(10), TimeProvider.System);
            var expected = new Expected(orders);
            const int wave = 20_000;
            var clock = Stopwatch.StartNew();

            await ProduceAsync(topic.Name, 0, wave, expected, cts.Token);
            await using (var first = ArchiverProcess.Start(settings))
            {
                await first.WaitForOutputAsync("assigned partitions", TimeSpan.FromMinutes(2), cts.Token);
                await WaitUntilArchivedAsync(reader, expected, first, cts.Token);
                output.WriteLine($"{clock.Elapsed:mm\\:ss} first wave archived");
                await ProduceAsync(topic.Name, wave, wave, expected, cts.Token);
                await Task.Delay(1_000, cts.Token);
                await first.KillAsync();
                output.WriteLine($"{clock.Elapsed:mm\\:ss} SIGKILL: {(await reader.LoadSnapshotAsync(cts.Token)).Rows} rows committed");
            }

            await using (var restarted = ArchiverProcess.Start(settings))
            {
                await restarted.WaitForOutputAsync("assigned partitions", TimeSpan.FromMinutes(2), cts.Token);
                await WaitUntilArchivedAsync(reader, expected, restarted, cts.Token);
                await restarted.TerminateAsync(cts.Token);
                output.WriteLine($"{clock.Elapsed:mm\\:ss} the restarted archiver caught up and stopped: exit code {restarted.ExitCode}; {Recovery(restarted.Output)}");
                Assert.True(restarted.ExitCode == 0, restarted.Output);
            }

            // Nothing of the master dataset is in the archiver's own root but its local copies: the commits are rows.
            Assert.False(Directory.Exists(MasterDatasetLayout.CommitDirectory(Path.Combine(directory.Path, "dataset"), orders.Name)));
            await AssertExactlyOnceAsync(reader, orders, expected, cts.Token);
        }
        finally
        {
            await DevBrokerAdmin.DeleteTopicAsync(topic.Name, CancellationToken.None);
        }
    }

    /// <summary>
    /// The archiver's settings for the orders of <paramref name="topic"/> (the default catalog with that topic, written into
    /// <paramref name="directory"/>), the orders source and the dataset root: small batches and a short session timeout, so
    /// that kills land between many commits and a dead member's partitions move on quickly.
    /// </summary>
    private static async Task<(Dictionary<string, string> Settings, SourceDefinition Orders, string DatasetRoot)> ArchiverSetupAsync(
        string topic, TestDirectory directory, CancellationToken cancellationToken)
    {
        var catalogPath = Path.Combine(directory.Path, "catalog.yaml");
        await File.WriteAllTextAsync(catalogPath, TestCatalogs.DefaultWithOrdersTopic(topic), cancellationToken);
        var orders = CatalogLoader.LoadFile(catalogPath).GetSource("orders");
        var datasetRoot = Path.Combine(directory.Path, "dataset");
        var settings = new Dictionary<string, string>
        {
            ["Kafka:BootstrapServers"] = StackEndpoints.Load().KafkaBootstrap,
            ["Catalog:Path"] = catalogPath,
            ["Batch:DatasetRoot"] = datasetRoot,
            ["Batch:Archiver:Sources:0"] = "orders",
            ["Batch:Archiver:MaxBatchEvents"] = "20000",
            ["Batch:Archiver:FlushInterval"] = "00:00:00.500",
            ["Batch:Archiver:SessionTimeout"] = "00:00:06",
        };
        return (settings, orders, datasetRoot);
    }

    private static async Task<(HashSet<int> First, HashSet<int> Second)> WaitForSplitAsync(
        ArchiverProcess first, ArchiverProcess second, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var a = LastAssignment(first.Output);
            var b = LastAssignment(second.Output);
            if (a.Count > 0 && b.Count > 0 && a.Count + b.Count == Partitions)
            {
                return (a, b);
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"the two archivers did not split the partitions:\n--- first:\n{first.Output}\n--- second:\n{second.Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static HashSet<int> LastAssignment(string log)
    {
        const string marker = "assigned partitions [";
        var at = log.LastIndexOf(marker, StringComparison.Ordinal);
        var revoked = Math.Max(log.LastIndexOf("] revoked", StringComparison.Ordinal), log.LastIndexOf("] lost", StringComparison.Ordinal));
        if (at < 0 || revoked > at)
        {
            return [];
        }

        var list = log[(at + marker.Length)..log.IndexOf(']', at)];
        return list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
    }

    private static string Recovery(string log)
    {
        var lines = log.Split('\n').Where(l => l.Contains("recovery rolled", StringComparison.Ordinal)).Select(l => l[(l.IndexOf("recovery", StringComparison.Ordinal))..l.IndexOf("; resuming", StringComparison.Ordinal)]).ToArray();
        return lines.Length == 0 ? "no assignment" : string.Join(" | ", lines);
    }

    private static async Task ProduceAsync(string topic, int first, int count, Expected expected, CancellationToken cancellationToken)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = StackEndpoints.Load().KafkaBootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        };
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var failures = 0;
        for (var i = first; i < first + count; i++)
        {
            var json = OrderEvents.Create(i, Total, Seed, out _);
            var partition = new TopicPartition(topic, i % Partitions);
            producer.Produce(partition, new Message<Null, byte[]> { Value = json }, report =>
            {
                if (report.Error.IsError || report.Status != PersistenceStatus.Persisted)
                {
                    Interlocked.Increment(ref failures);
                    return;
                }

                expected.Add(report.Partition.Value, report.Offset.Value, report.Message.Value);
            });
        }

        producer.Flush(cancellationToken);
        Assert.Equal(0, failures);
        await Task.CompletedTask;
    }

    private static Task WaitUntilArchivedAsync(string root, SourceDefinition orders, Expected expected, ArchiverProcess archiver, CancellationToken cancellationToken) =>
        WaitUntilArchivedAsync(new CommitLog(root, orders.Name), expected, archiver, cancellationToken);

    private static async Task WaitUntilArchivedAsync(IMasterCommitLog log, Expected expected, ArchiverProcess archiver, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var ends = expected.Ends();
        while (true)
        {
            var snapshot = await log.LoadSnapshotAsync(cancellationToken);
            if (ends.All(e => snapshot.GetCommittedEnd(e.Key) == e.Value))
            {
                return;
            }

            if (archiver.HasExited || deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"the archiver did not catch up ({snapshot.Rows} rows; exited: {archiver.HasExited}):\n{archiver.Output}");
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    private static Task AssertExactlyOnceAsync(string root, SourceDefinition orders, Expected expected, CancellationToken cancellationToken) =>
        AssertExactlyOnceAsync(new CommitLog(root, orders.Name), orders, expected, cancellationToken);

    private static async Task AssertExactlyOnceAsync(IMasterCommitLog log, SourceDefinition orders, Expected expected, CancellationToken cancellationToken)
    {
        // The commit log covers every offset exactly once and counts the invalid messages.
        var root = log.Root;
        var commits = await log.ReadCommitsAsync(null, cancellationToken);
        foreach (var partition in commits.GroupBy(c => c.Partition))
        {
            Assert.Equal(0, partition.First().FirstOffset);
            CommitLog.CheckChain(partition.ToArray());
        }

        Assert.Equal(expected.Invalid, commits.Sum(c => c.InvalidEvents));
        Assert.Empty(Directory.GetFiles(root, "*.tmp", SearchOption.AllDirectories));

        // Our reader: each valid message exactly once, with its content.
        var seen = new Dictionary<(int, long), int>();
        var actual = new Totals[Partitions];
        var orderId = orders.GetField("order_id").Ordinal;
        var amount = orders.GetField("amount").Ordinal;
        await new MasterDatasetReader(root, orders).ReadAsync(
            await log.LoadSnapshotAsync(cancellationToken),
            new Lambda.Shared.Time.TimeRange(DateTimeOffset.UnixEpoch, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            (record, partition, offset) =>
            {
                seen[(partition, offset)] = seen.GetValueOrDefault((partition, offset)) + 1;
                actual[partition].Add(offset, record.GetDecimalUnscaled(amount), Checksum(record.GetString(orderId), offset, record.TimestampMilliseconds));
            },
            cancellationToken);
        Assert.Equal(expected.Valid, seen.Count);
        Assert.All(seen, s => Assert.Equal(1, s.Value));
        for (var p = 0; p < Partitions; p++)
        {
            Assert.Equal(expected.Totals[p], actual[p]);
        }

        // DuckDB over the published files: the same counts and sums per partition.
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT kafka_partition, count(*), count(DISTINCT kafka_offset), sum(kafka_offset), sum(amount)
            FROM read_parquet('{MasterDatasetLayout.FlushFileGlob(root, orders.Name)}') GROUP BY 1 ORDER BY 1
            """;
        using var reader = command.ExecuteReader();
        var partitions = 0;
        while (reader.Read())
        {
            var totals = expected.Totals[reader.GetInt32(0)];
            Assert.Equal(totals.Count, reader.GetInt64(1));
            Assert.Equal(totals.Count, reader.GetInt64(2));
            Assert.Equal(totals.OffsetSum, reader.GetInt64(3));
            Assert.Equal(totals.AmountSum / 100m, reader.GetDecimal(4));
            partitions++;
        }

        Assert.Equal(Partitions, partitions);
    }

    private static ulong Checksum(string orderId, long offset, long time) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{orderId}|{offset}|{time}"));

    private record struct Totals(long Count, long OffsetSum, long AmountSum, ulong Checksum)
    {
        public void Add(long offset, long amount, ulong checksum)
        {
            Count++;
            OffsetSum += offset;
            AmountSum += amount;
            Checksum = unchecked(Checksum + checksum);
        }
    }

    /// <summary>What the broker acknowledged: per partition the totals of the valid messages and the end offset.</summary>
    private sealed class Expected(SourceDefinition orders)
    {
        private readonly EventParser _parser = new(orders);
        private readonly EventRecord _record = new(orders);
        private readonly long[] _ends = new long[Partitions];

        public Totals[] Totals { get; } = new Totals[Partitions];

        public long Valid { get; private set; }

        public long Invalid { get; private set; }

        /// <summary>Called from delivery reports, which librdkafka may serve on more than one thread (poll thread and Flush).</summary>
        public void Add(int partition, long offset, byte[] json)
        {
            lock (_record)
            {
                AddLocked(partition, offset, json);
            }
        }

        private void AddLocked(int partition, long offset, byte[] json)
        {
            _ends[partition] = Math.Max(_ends[partition], offset + 1);
            if (!_parser.TryParse(json, _record, out _))
            {
                Invalid++;
                return;
            }

            Valid++;
            Totals[partition].Add(
                offset,
                _record.GetDecimalUnscaled(orders.GetField("amount").Ordinal),
                Checksum(_record.GetString(orders.GetField("order_id").Ordinal), offset, _record.TimestampMilliseconds));
        }

        public IReadOnlyDictionary<int, long> Ends() => Enumerable.Range(0, Partitions).ToDictionary(p => p, p => _ends[p]);
    }
}
