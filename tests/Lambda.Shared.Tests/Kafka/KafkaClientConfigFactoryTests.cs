using Confluent.Kafka;
using FsCheck;
using FsCheck.Fluent;
using Lambda.Shared.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Tests.Kafka;

public sealed class KafkaClientConfigFactoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lambda-kafka-tests-").FullName;

    private static readonly Dictionary<string, string> SecuritySettings = new(StringComparer.Ordinal)
    {
        ["security.protocol"] = "SASL_SSL",
        ["sasl.mechanism"] = "SCRAM-SHA-512",
        ["sasl.username"] = "lambda",
        ["sasl.password"] = "s3cret",
        ["ssl.ca.location"] = "/etc/ssl/certs/kafka-ca.pem",
    };

    [Fact]
    public void Client_properties_reach_every_client_configuration_verbatim()
    {
        var factory = Factory(new KafkaOptions { BootstrapServers = "kafka-1:9093,kafka-2:9093", Client = SecuritySettings });

        var producer = factory.CreateProducerConfig();
        var consumer = factory.CreateConsumerConfig("speed-layer");
        var admin = factory.CreateAdminClientConfig();

        foreach (ClientConfig config in new ClientConfig[] { producer, consumer, admin })
        {
            foreach (var (key, value) in SecuritySettings)
            {
                Assert.Equal(value, config.Get(key));
            }

            Assert.Equal("kafka-1:9093,kafka-2:9093", config.BootstrapServers);
        }

        Assert.Equal("speed-layer", consumer.GroupId);
        var expectedConsumerKeys = SecuritySettings.Keys.Append("bootstrap.servers").Append("group.id").Order(StringComparer.Ordinal);
        Assert.Equal(expectedConsumerKeys, consumer.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Settings_made_on_one_configuration_do_not_leak_into_the_options_or_the_next_one()
    {
        var options = new KafkaOptions { BootstrapServers = "kafka:9092", Client = new Dictionary<string, string>(SecuritySettings) };
        var factory = Factory(options);

        var first = factory.CreateProducerConfig();
        first.EnableIdempotence = true;
        first.Set("sasl.username", "changed");

        Assert.Equal("lambda", options.Client["sasl.username"]);
        Assert.False(options.Client.ContainsKey("enable.idempotence"));
        Assert.Null(factory.CreateProducerConfig().EnableIdempotence);
        Assert.Equal("lambda", factory.CreateProducerConfig().Get("sasl.username"));
    }

    [Fact]
    public void Environment_variables_with_double_underscores_bind_to_pass_through_properties()
    {
        var prefix = $"LAMBDA_TEST_{Guid.NewGuid():N}_";
        var variables = new Dictionary<string, string>
        {
            [$"{prefix}Kafka__BootstrapServers"] = "broker.example:9094",
            [$"{prefix}Kafka__Client__security.protocol"] = "SASL_PLAINTEXT",
            [$"{prefix}Kafka__Client__sasl.mechanism"] = "PLAIN",
            [$"{prefix}Kafka__Client__sasl.username"] = "svc",
        };
        try
        {
            foreach (var (key, value) in variables)
            {
                Environment.SetEnvironmentVariable(key, value);
            }

            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            using var provider = new ServiceCollection().AddLambdaKafka(configuration).BuildServiceProvider();

            var config = provider.GetRequiredService<KafkaClientConfigFactory>().CreateConsumerConfig("g");

            Assert.Equal("broker.example:9094", config.BootstrapServers);
            Assert.Equal("SASL_PLAINTEXT", config.Get("security.protocol"));
            Assert.Equal("PLAIN", config.Get("sasl.mechanism"));
            Assert.Equal("svc", config.Get("sasl.username"));
        }
        finally
        {
            foreach (var key in variables.Keys)
            {
                Environment.SetEnvironmentVariable(key, null);
            }
        }
    }

    [Fact]
    public void Bootstrap_file_is_used_when_no_servers_are_configured_and_is_reread_on_each_call()
    {
        var file = Path.Combine(_directory, "bootstrap");
        File.WriteAllText(file, "127.0.0.1:40001\n");
        var factory = Factory(new KafkaOptions { BootstrapFile = file });

        Assert.Equal("127.0.0.1:40001", factory.CreateProducerConfig().BootstrapServers);

        File.WriteAllText(file, "127.0.0.1:40002\n");
        Assert.Equal("127.0.0.1:40002", factory.CreateConsumerConfig("g").BootstrapServers);
    }

    [Fact]
    public void Configured_servers_win_over_the_bootstrap_file()
    {
        var file = Path.Combine(_directory, "bootstrap");
        File.WriteAllText(file, "127.0.0.1:40001");
        var factory = Factory(new KafkaOptions { BootstrapServers = "kafka:9092", BootstrapFile = file });

        Assert.Equal("kafka:9092", factory.ResolveBootstrapServers());
    }

    [Fact]
    public void An_empty_or_missing_bootstrap_file_fails_with_its_key_and_path()
    {
        var file = Path.Combine(_directory, "missing");
        var factory = Factory(new KafkaOptions { BootstrapFile = file });

        var missing = Assert.Throws<InvalidOperationException>(factory.CreateProducerConfig);
        Assert.Contains("Kafka:BootstrapFile", missing.Message, StringComparison.Ordinal);
        Assert.Contains(file, missing.Message, StringComparison.Ordinal);

        File.WriteAllText(file, "  \n");
        Assert.Throws<InvalidOperationException>(factory.CreateProducerConfig);
    }

    [Fact]
    public void A_consumer_needs_a_group()
    {
        var factory = Factory(new KafkaOptions { BootstrapServers = "kafka:9092" });

        var error = Assert.Throws<ArgumentException>(() => factory.CreateConsumerConfig(" "));
        Assert.Equal("groupId", error.ParamName);
    }

    [FsCheck.Xunit.Property]
    public Property Any_client_property_passes_through_unchanged()
    {
        var names = Gen.Elements("client.id", "linger.ms", "socket.timeout.ms", "ssl.key.password", "x.custom", "log_level")
            .ArrayOf()
            .Select(a => a.Distinct(StringComparer.Ordinal).ToArray());
        var settings = names.SelectMany(keys =>
            ArbMap.Default.GeneratorFor<NonNull<string>>().ArrayOf(keys.Length)
                .Select(values => keys.Zip(values, (k, v) => KeyValuePair.Create(k, v.Get)).ToDictionary(StringComparer.Ordinal)));

        return Prop.ForAll(settings.ToArbitrary(), client =>
        {
            var config = Factory(new KafkaOptions { BootstrapServers = "kafka:9092", Client = client }).CreateProducerConfig();
            return client.All(p => config.Get(p.Key) == p.Value)
                && config.Count() == client.Count + 1;
        });
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static KafkaClientConfigFactory Factory(KafkaOptions options) => new(Options.Create(options));
}
