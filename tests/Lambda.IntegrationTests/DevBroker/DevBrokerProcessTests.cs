using System.Text.Json;
using Confluent.Kafka;
using Lambda.Testing;

namespace Lambda.IntegrationTests.DevBroker;

/// <summary>
/// The development broker as a process of its own (not the stack's instance): it creates the
/// configured topics, publishes its addresses, serves Kafka, and on SIGTERM withdraws them and exits 0.
/// </summary>
public sealed class DevBrokerProcessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lambda-dev-broker-").FullName;

    [Fact]
    public async Task Starts_with_the_configured_topics_publishes_its_address_and_stops_cleanly_on_SIGTERM()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var broker = DevBrokerProcess.Start(_directory);
        try
        {
            var bootstrap = await broker.WaitUntilListeningAsync(cts.Token);
            Assert.Matches(@"^127\.0\.0\.1:\d+$", bootstrap);
            using (var http = new HttpClient())
            {
                var health = await http.GetStringAsync(new Uri((await File.ReadAllTextAsync(broker.ControlUrlFile, cts.Token)).Trim() + "/healthz"), cts.Token);
                Assert.Contains(bootstrap, health, StringComparison.Ordinal);
            }

            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
            {
                var topics = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal);
                Assert.Equal(ConfiguredTopics(), topics);
                Assert.Equal(32, topics["orders"]);
                Assert.Equal(4, topics["orders.dlq"]);
            }

            using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build())
            {
                var delivery = await producer.ProduceAsync("payments", new Message<Null, string> { Value = "one" }, cts.Token);
                Assert.Equal(PersistenceStatus.Persisted, delivery.Status);
            }

            Assert.Contains($"Dev broker ready: bootstrap {bootstrap}", broker.Output, StringComparison.Ordinal);
        }
        finally
        {
            await broker.StopAsync(cts.Token);
        }

        Assert.Equal(0, broker.Process.ExitCode);
        Assert.False(File.Exists(broker.BootstrapFile), "the bootstrap file outlived the broker");
        Assert.False(File.Exists(broker.ControlUrlFile), "the control URL file outlived the broker");
        Assert.Contains("Dev broker stopping", broker.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Creates_every_catalog_source_topic_and_its_dead_letter_topic_at_start()
    {
        // A topic created later by auto-creation changes what a consumer group subscribed to, and the dev broker then
        // stalls the group's rebalance for a whole session timeout (issue #16's soak lost its speed layer for 45 s).
        var catalog = Lambda.Shared.Catalog.CatalogLoader.LoadFile(Path.Combine(RepositoryPaths.Root, "shared", "catalog.yaml"));
        var expected = catalog.Sources.SelectMany(s => new[] { s.Topic, s.Topic + ".dlq" }).Order(StringComparer.Ordinal);

        Assert.Equal(expected, ConfiguredTopics().Keys.Order(StringComparer.Ordinal));
    }

    private static Dictionary<string, int> ConfiguredTopics()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "dev-broker", "appsettings.json")));
        return settings.RootElement.GetProperty("DevBroker").GetProperty("Topics").EnumerateArray()
            .ToDictionary(t => t.GetProperty("Name").GetString()!, t => t.GetProperty("Partitions").GetInt32(), StringComparer.Ordinal);
    }
}
