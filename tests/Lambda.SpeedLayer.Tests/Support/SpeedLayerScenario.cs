using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.SpeedLayer.Storage;
using Lambda.Testing;
using Lambda.Testing.Oracles;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// Everything one end-to-end test needs on the real dev broker and ClickHouse: its own topic (and
/// dead-letter topic) with a partition count, its own ClickHouse database, a catalog file naming the
/// topic, a consumer group, the generated events with their oracle, and the checks of the outcome.
/// </summary>
internal sealed class SpeedLayerScenario : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ITestOutputHelper _output;
    private readonly List<SpeedLayerProcess> _instances = [];

    private SpeedLayerScenario(string topic, int partitions, ClickHouseTestDatabase database, string directory, ITestOutputHelper output, int seed)
    {
        Topic = topic;
        Partitions = partitions;
        Database = database;
        _directory = directory;
        _output = output;
        Catalog = TestCatalog.Parse(topic);
        CatalogPath = TestCatalog.WriteFile(directory, topic);
        Generator = new EventGenerator(seed);
        Produced = new ProducedEvents(Catalog.Views);
        Store = new ClickHouseSpeedTableWriter(database.Client, new FakeLogger<ClickHouseSpeedTableWriter>());
        GroupId = "speed-test-" + Guid.NewGuid().ToString("N")[..12];
    }

    public string Topic { get; }

    public string DeadLetterTopic => Topic + ".dlq";

    public int Partitions { get; }

    public string Bootstrap { get; } = StackEndpoints.Load().KafkaBootstrap;

    public ClickHouseTestDatabase Database { get; }

    public LambdaCatalog Catalog { get; }

    public string CatalogPath { get; }

    public string GroupId { get; }

    public EventGenerator Generator { get; }

    public ProducedEvents Produced { get; }

    public ISpeedTableWriter Store { get; }

    public static async Task<SpeedLayerScenario> CreateAsync(string prefix, int partitions, ITestOutputHelper output, Uri? clickHouseUrl = null, int seed = 42)
    {
        var topic = await DevBrokerAdmin.CreateUniqueTopicAsync(prefix, partitions, CancellationToken.None);
        await DevBrokerAdmin.CreateTopicAsync(topic.Name + ".dlq", 4, CancellationToken.None);
        var database = await ClickHouseTestDatabase.CreateAsync(clickHouseUrl, "speed_test");
        var directory = Directory.CreateTempSubdirectory("lambda-speed-test-").FullName;
        output.WriteLine($"topic {topic.Name} ({partitions} partitions), database {database.Name} on {database.Url}, directory {directory}");
        return new SpeedLayerScenario(topic.Name, partitions, database, directory, output, seed);
    }

    /// <summary>The configuration a deployment would pass, as environment variables.</summary>
    public Dictionary<string, string> Environment() => new(StringComparer.Ordinal)
    {
        ["Kafka__BootstrapServers"] = Bootstrap,
        ["Kafka__BootstrapFile"] = string.Empty,
        ["ClickHouse__Url"] = Database.Url.AbsoluteUri,
        ["ClickHouse__Database"] = Database.Name,
        ["Catalog__Path"] = CatalogPath,
        // Fencing tokens (SpeedLayer:Fencing, which the failover tests turn on) come from PostgreSQL at every assignment.
        ["ConnectionStrings__Postgres"] = StackEndpoints.Load().PostgresConnectionString,
        ["SpeedLayer__GroupId"] = GroupId,
        ["SpeedLayer__SessionTimeout"] = "00:00:06",
        ["SpeedLayer__RetryMaxDelay"] = "00:00:01",
        ["SpeedLayer__DrainTimeout"] = "00:00:20",
    };

    public SpeedLayerProcess StartInstance(string name, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var environment = Environment();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var instance = SpeedLayerProcess.Start(name, environment);
        _instances.Add(instance);
        _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} started {name} (pid {instance.Id}) on {instance.BaseUrl}");
        return instance;
    }

    /// <summary>Produces events <paramref name="firstIndex"/>.. at a steady rate (0: as fast as possible).</summary>
    public async Task ProduceAsync(long firstIndex, long count, double eventsPerSecond, CancellationToken cancellationToken)
    {
        using var producer = new TestProducer(Bootstrap, Topic, Partitions);
        await producer.ProduceAsync(Generator, Produced, firstIndex, count, eventsPerSecond, cancellationToken);
        _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} produced {Produced.Count} events, {Produced.Malformed.Count} malformed");
    }

    /// <summary>Waits until every view has stored every partition up to its last produced offset.</summary>
    public async Task WaitUntilStoredAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var expected = Produced.LastOffsets.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(Partitions, expected.Count);
        var missing = string.Empty;
        while (!cts.IsCancellationRequested)
        {
            missing = string.Empty;
            foreach (var view in Catalog.Views)
            {
                var stored = await Store.GetMaxOffsetsAsync(view, CancellationToken.None);
                var behind = expected.Where(p => !stored.TryGetValue(p.Key, out var s) || s < p.Value).ToArray();
                if (behind.Length > 0)
                {
                    missing = $"view {view.Name}: {behind.Length} partitions behind, e.g. {behind[0].Key} at "
                        + $"{(stored.TryGetValue(behind[0].Key, out var at) ? at.ToString(CultureInfo.InvariantCulture) : "nothing")} of {behind[0].Value}";
                    break;
                }

                Assert.All(stored, s => Assert.True(s.Value <= expected[s.Key], $"view {view.Name} stored offset {s.Value} beyond the end of partition {s.Key}"));
            }

            if (missing.Length == 0)
            {
                _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} every view has stored every offset");
                return;
            }

            await Task.Delay(250, CancellationToken.None);
        }

        Assert.Fail($"not everything was stored within {timeout}: {missing}\n{string.Join("\n", _instances.Select(i => $"--- {i.Name}:\n{i.Tail(40)}"))}");
    }

    /// <summary>
    /// Every view in ClickHouse, read back and merged, equals the oracle the test computed from the raw events, group
    /// by group and measure by measure (distinct counts within the HyperLogLog bound of the exact count).
    /// </summary>
    public async Task AssertViewsEqualOracleAsync()
    {
        foreach (var view in Catalog.Views)
        {
            var actual = await SpeedTableContents.ReadGroupsAsync(Database.Client, view);
            var difference = Produced.Oracles[view.Name].FindDifference(actual.Select(g => (
                g.BucketStartMilliseconds,
                (IReadOnlyList<string>)g.Dimensions.Select(d => d.ToCanonicalString()).ToArray(),
                (IReadOnlyList<OracleActual>)view.Measures.Select(m => OracleActual.FromMeasureValue(g.GetValue(m.Index))).ToArray())));
            Assert.True(difference is null, difference);
            _output.WriteLine($"view {view.Name}: {actual.Count} groups equal the oracle");
        }

        Assert.Empty(await SpeedTableContents.ReadGroupsAsync(Database.Client, Catalog.GetView("rare")));
        Assert.True(Produced.Accepted > 0);
    }

    /// <summary>Every malformed event is in the dead-letter topic with its reason and original bytes (and nothing else is).</summary>
    public void AssertDeadLetters(bool exactlyOnce)
    {
        var letters = DeadLetterReader.ReadAll(Bootstrap, DeadLetterTopic, TimeSpan.FromSeconds(60));
        var byPosition = letters.GroupBy(l => (l.Partition, l.Offset)).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.True(Produced.Malformed.Count > 0);
        foreach (var ((partition, offset), generated) in Produced.Malformed)
        {
            Assert.True(byPosition.TryGetValue((partition, offset), out var found), $"malformed event at {partition}/{offset} ({generated.ExpectedRejection}) is not in {DeadLetterTopic}");
            foreach (var letter in found)
            {
                Assert.Equal(generated.ExpectedRejection.ToString(), letter.Reason);
                Assert.Equal(generated.Value, letter.Value);
                Assert.Equal(Topic, letter.SourceTopic);
                Assert.False(string.IsNullOrWhiteSpace(letter.Error));
            }
        }

        Assert.All(byPosition.Keys, k => Assert.True(Produced.Malformed.ContainsKey(k), $"{k} is in the DLQ but was not malformed"));
        if (exactlyOnce)
        {
            Assert.Equal(Produced.Malformed.Count, letters.Count);
        }

        _output.WriteLine($"{letters.Count} dead letters for {Produced.Malformed.Count} malformed events");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            if (!instance.HasExited)
            {
                _output.WriteLine($"--- {instance.Name} still running; last output:\n{instance.Tail(30)}");
            }

            await instance.DisposeAsync();
        }

        await DevBrokerAdmin.DeleteTopicAsync(Topic, CancellationToken.None);
        await DevBrokerAdmin.DeleteTopicAsync(DeadLetterTopic, CancellationToken.None);
        await Database.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
