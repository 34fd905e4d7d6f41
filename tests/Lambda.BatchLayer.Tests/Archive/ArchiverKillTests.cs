using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using Confluent.Kafka;
using DuckDB.NET.Data;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.BatchLayer.Tests.Archive;

/// <summary>
/// The archiver against the development broker, as a real process that is SIGKILLed at random moments
/// (while consuming, writing files aside, committing or renaming) and restarted.
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
            var catalogPath = Path.Combine(directory.Path, "catalog.yaml");
            await File.WriteAllTextAsync(catalogPath, TestCatalogs.DefaultWithOrdersTopic(topic.Name), cts.Token);
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

    private static async Task WaitUntilArchivedAsync(string root, SourceDefinition orders, Expected expected, ArchiverProcess archiver, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var ends = expected.Ends();
        while (true)
        {
            var snapshot = MasterDatasetSnapshot.Load(root, orders.Name);
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

    private static async Task AssertExactlyOnceAsync(string root, SourceDefinition orders, Expected expected, CancellationToken cancellationToken)
    {
        // The commit log covers every offset exactly once and counts the invalid messages.
        var commits = new CommitLog(root, orders.Name).ReadCommits();
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
