using System.Diagnostics;
using Confluent.Kafka;
using Lambda.BatchLayer.Archive;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Lambda.BatchLayer.Tests.Recompute;

/// <summary>
/// The batch layer end to end on the real stack: events produced to the dev broker, archived by the
/// archiver (hosted through <c>AddLambdaArchiver</c>), speed-flush boundaries in ClickHouse speed tables,
/// the recompute engine from <c>AddLambdaRecomputeEngine</c>, batch views read back and compared with an oracle.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class RecomputeEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Partitions = 8;
    private const int FirstWave = 80_000;
    private const int SecondWave = 8_000;
    private static readonly string[] ViewNames = ["revenue_by_country", "orders_by_status"];

    private readonly TestDirectory _directory = new("recompute-e2e");
    private readonly string _database = "batch_a_" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<OrderMessage> _messages = [];
    private readonly Dictionary<(string View, int Partition), long> _speedEnds = [];
    private readonly Dictionary<(string View, int Partition), SortedSet<long>> _speedBoundaries = [];
    private DevBrokerTopic _topic = null!;
    private IConfiguration _configuration = null!;
    private LambdaCatalogHolder _catalog = null!;

    public async Task InitializeAsync()
    {
        _topic = await DevBrokerAdmin.CreateUniqueTopicAsync("recompute-e2e", Partitions, CancellationToken.None);
        var catalogPath = Path.Combine(_directory.Path, "catalog.yaml");
        await File.WriteAllTextAsync(catalogPath, TestCatalogs.DefaultWithOrdersTopic(_topic.Name));
        var stack = StackEndpoints.Load();
        _configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Catalog:Path"] = catalogPath,
            ["Batch:DatasetRoot"] = Path.Combine(_directory.Path, "dataset"),
            ["Batch:Archiver:Enabled"] = "true",
            ["Batch:Archiver:Sources:0"] = "orders",
            ["Batch:Archiver:MaxBatchEvents"] = "25000",
            ["Batch:Archiver:FlushInterval"] = "00:00:01",
            ["Batch:Archiver:FlushToDisk"] = "false",
            ["Batch:Archiver:SessionTimeout"] = "00:00:06",
            ["Batch:Recompute:MaxDegreeOfParallelism"] = "2",
            ["Kafka:BootstrapServers"] = stack.KafkaBootstrap,
            ["ClickHouse:Url"] = stack.ClickHouseUrl.ToString(),
            ["ClickHouse:Database"] = _database,
        }).Build();
        _catalog = new LambdaCatalogHolder(CatalogLoader.LoadFile(catalogPath));
    }

    public async Task DisposeAsync()
    {
        await using (var services = RecomputeServices())
        {
            await services.GetRequiredService<IClickHouseClient>().ExecuteAsync(
                $"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(_database)}", new ClickHouseCallOptions { Database = "system" }, CancellationToken.None);
        }

        await DevBrokerAdmin.DeleteTopicAsync(_topic.Name, CancellationToken.None);
        _directory.Dispose();
    }

    [Fact]
    public async Task Batch_views_from_archived_Kafka_events_equal_the_oracle_at_the_speed_flush_watermarks()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await using var services = RecomputeServices();
        var engine = services.GetRequiredService<IRecomputeEngine>();
        var manifests = services.GetRequiredService<IManifestStore>();
        var client = services.GetRequiredService<IClickHouseClient>();
        await client.EnsureDatabaseAsync(cts.Token);
        foreach (var view in ViewNames)
        {
            await SpeedTables.CreateAsync(client, _catalog.Catalog.GetView(view), cts.Token);
        }

        // Run 1: the speed layer is ahead of the archive on half the partitions and behind on the others.
        await ProduceAsync(0, FirstWave, FirstWave, cts.Token);
        var ends = await ArchiveAsync(cts.Token);
        await AddSpeedFlushesAsync(client, ends, cts.Token);
        var clock = Stopwatch.StartNew();
        var first = await engine.RunAsync(new RecomputeRequest(), null, cts.Token);
        output.WriteLine($"run 1: {first.RowsRead} rows read, {first.Days.Count} view-days, {first.RowsWritten} groups in {clock.ElapsedMilliseconds} ms");
        var firstManifest = (await manifests.LoadAsync(cts.Token))!;
        await AssertManifestAsync(firstManifest, ends, services, cts.Token);

        // Run 2, nothing new: nothing recomputed, nothing published.
        var again = await engine.RunAsync(new RecomputeRequest(), null, cts.Token);
        Assert.True(again.NothingToDo);
        Assert.Empty(again.Days);
        Assert.Equal(firstManifest.RunId, (await manifests.LoadAsync(cts.Token))!.RunId);

        // Run 3: more events (a later day plus late ones), archived, flushed by the speed layer.
        await ProduceAsync(FirstWave, SecondWave, FirstWave, cts.Token);
        ends = await ArchiveAsync(cts.Token);
        await AddSpeedFlushesAsync(client, ends, cts.Token);
        var third = await engine.RunAsync(new RecomputeRequest(), null, cts.Token);
        var thirdManifest = (await manifests.LoadAsync(cts.Token))!;
        await AssertManifestAsync(thirdManifest, ends, services, cts.Token);
        foreach (var view in ViewNames)
        {
            var before = firstManifest.FindView(view)!;
            var after = thirdManifest.FindView(view)!;
            var dirty = _messages
                .Where(m => m.Event is not null && m.Offset >= before.GetWatermark(m.Partition) && m.Offset < after.GetWatermark(m.Partition))
                .Select(m => DateOnly.FromDateTime(m.Event!.Timestamp.UtcDateTime))
                .ToHashSet();
            Assert.Equal(dirty.Order(), third.Days.Where(d => d.View == view).Select(d => d.Day));
            Assert.All(after.Days.Where(d => !dirty.Contains(d.Day)), d => Assert.Equal(before.FindDay(d.Day), d));
            output.WriteLine($"run 3, {view}: recomputed {string.Join(", ", dirty.Order())}; carried {string.Join(", ", after.Days.Where(d => !dirty.Contains(d.Day)).Select(d => d.Day))}");
        }
    }

    private ServiceProvider RecomputeServices() =>
        new ServiceCollection().AddLogging().AddSingleton(_configuration).AddLambdaRecomputeEngine(_configuration).BuildServiceProvider(validateScopes: true);

    private async Task AssertManifestAsync(BatchManifest manifest, IReadOnlyDictionary<int, long> archiveEnds, IServiceProvider services, CancellationToken cancellationToken)
    {
        var reader = services.GetRequiredService<BatchViewReader>();
        foreach (var name in ViewNames)
        {
            var view = _catalog.Catalog.GetView(name);
            var entry = manifest.FindView(name)!;
            for (var p = 0; p < Partitions; p++)
            {
                // The watermark: the highest flush boundary at or below what the archive holds.
                var boundaries = _speedBoundaries[(name, p)];
                Assert.True(
                    boundaries.Where(b => b <= archiveEnds[p]).DefaultIfEmpty(0).Max() == entry.GetWatermark(p),
                    $"{name} p{p}: archive end {archiveEnds[p]}, speed end {boundaries.Max}, watermark {entry.GetWatermark(p)}");
            }

            var groups = await BatchViewContents.ReadGroupsAsync(reader, entry, view, cancellationToken);
            Assert.Null(ViewAggregator.FindDifference(ViewOracle.Aggregate(view, _messages, entry.Watermarks).GetGroups(), groups));
            ViewOracle.AssertMatchesPlainComputation(view, _messages, entry.Watermarks, groups);
            Assert.True(groups.Count > 100);
        }
    }

    private static long Step(string view) => view == "revenue_by_country" ? 613 : 1_009;

    private async Task AddSpeedFlushesAsync(IClickHouseClient client, IReadOnlyDictionary<int, long> archiveEnds, CancellationToken cancellationToken)
    {
        foreach (var name in ViewNames)
        {
            var view = _catalog.Catalog.GetView(name);
            for (var p = 0; p < Partitions; p++)
            {
                var from = _speedEnds.GetValueOrDefault((name, p));
                var to = p % 2 == 0 ? archiveEnds[p] + 250 : archiveEnds[p] - 400;
                var step = Step(name);
                var ranges = new List<(long, long)>();
                for (var first = from; first < to; first = (first / step * step) + step)
                {
                    ranges.Add((first, Math.Min((first / step * step) + step, to) - 1));
                }

                await SpeedTables.AddFlushesAsync(client, view, p, ranges, deltaRows: p % 3, cancellationToken);
                if (!_speedBoundaries.TryGetValue((name, p), out var boundaries))
                {
                    _speedBoundaries[(name, p)] = boundaries = [];
                }

                boundaries.UnionWith(ranges.Select(r => r.Item2 + 1));
                _speedEnds[(name, p)] = Math.Max(from, to);
            }
        }
    }

    private async Task ProduceAsync(int first, int count, int total, CancellationToken cancellationToken)
    {
        var parser = new EventParser(_catalog.Catalog.GetSource("orders"));
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = StackEndpoints.Load().KafkaBootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        }).Build();
        var deliveries = new List<Task<DeliveryResult<Null, byte[]>>>(count);
        for (var i = first; i < first + count; i++)
        {
            var json = OrderEvents.Create(i, total, 900, out _);
            deliveries.Add(producer.ProduceAsync(new TopicPartition(_topic.Name, i % Partitions), new Message<Null, byte[]> { Value = json }, cancellationToken));
        }

        foreach (var report in await Task.WhenAll(deliveries))
        {
            Assert.Equal(PersistenceStatus.Persisted, report.Status);
            var record = parser.TryParse(report.Message.Value, out var parsed, out _) ? parsed : null;
            _messages.Add(new OrderMessage(report.Partition.Value, report.Offset.Value, report.Message.Value, record));
        }
    }

    /// <summary>Runs the archiver host until the dataset holds every produced message; returns the committed ends.</summary>
    private async Task<IReadOnlyDictionary<int, long>> ArchiveAsync(CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(_configuration);
        builder.Services.AddLambdaArchiver(builder.Configuration);
        using var host = builder.Build();
        var archiver = host.Services.GetRequiredService<ArchiverService>();
        await host.StartAsync(cancellationToken);
        var expected = _messages.GroupBy(m => m.Partition).ToDictionary(g => g.Key, g => g.Max(m => m.Offset) + 1);
        var root = Path.Combine(_directory.Path, "dataset");
        var deadline = Stopwatch.StartNew();
        MasterDatasetSnapshot snapshot;
        while (true)
        {
            snapshot = MasterDatasetSnapshot.Load(root, "orders");
            if (expected.All(e => snapshot.GetCommittedEnd(e.Key) == e.Value))
            {
                break;
            }

            Assert.Null(archiver.Failure);
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(3), $"the archiver did not catch up: {snapshot.Rows} rows");
            await Task.Delay(200, cancellationToken);
        }

        await host.StopAsync(cancellationToken);
        Assert.Null(archiver.Failure);
        return snapshot.CommittedEnds;
    }

    /// <summary>Keeps the catalog the test's services load (same file), so the oracle's records belong to the same source instance.</summary>
    private sealed record LambdaCatalogHolder(Lambda.Shared.Catalog.Catalog Catalog);
}
