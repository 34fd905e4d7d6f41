using Lambda.Shared.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Tests.Kafka;

public sealed class KafkaOptionsValidatorTests
{
    private readonly KafkaOptionsValidator _validator = new();

    [Theory]
    [InlineData("localhost:9092")]
    [InlineData("kafka-1:9092, kafka-2:9092,kafka-3:9092")]
    [InlineData("SASL_SSL://broker.example.com:9094")]
    [InlineData("[::1]:9092")]
    [InlineData("broker-without-port")]
    public void Accepts_broker_lists_librdkafka_accepts(string servers)
    {
        var result = _validator.Validate(null, new KafkaOptions { BootstrapServers = servers });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("kafka:0", "invalid port")]
    [InlineData("kafka:70000", "invalid port")]
    [InlineData("kafka:ninety", "invalid port")]
    [InlineData("kafka:9092,,other:9092", "empty entry")]
    [InlineData(":9092", "no valid host")]
    public void Rejects_bad_broker_lists_naming_the_key_and_entry(string servers, string problem)
    {
        var result = _validator.Validate(null, new KafkaOptions { BootstrapServers = servers });

        Assert.True(result.Failed);
        var message = Assert.Single(result.Failures!);
        Assert.Contains("Kafka:BootstrapServers", message, StringComparison.Ordinal);
        Assert.Contains(problem, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Requires_either_servers_or_a_bootstrap_file()
    {
        var result = _validator.Validate(null, new KafkaOptions());

        var message = Assert.Single(result.Failures!);
        Assert.Contains("Kafka:BootstrapServers", message, StringComparison.Ordinal);
        Assert.Contains("Kafka:BootstrapFile", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bootstrap_file_that_does_not_exist_is_reported_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lambda-absent-{Guid.NewGuid():N}");

        var result = _validator.Validate(null, new KafkaOptions { BootstrapFile = path });

        var message = Assert.Single(result.Failures!);
        Assert.Contains("Kafka:BootstrapFile", message, StringComparison.Ordinal);
        Assert.Contains(path, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bootstrap.servers")]
    [InlineData("metadata.broker.list")]
    public void Broker_list_in_client_properties_is_rejected_in_favour_of_the_one_key(string property)
    {
        var options = new KafkaOptions
        {
            BootstrapServers = "kafka:9092",
            Client = new Dictionary<string, string> { [property] = "elsewhere:9092" },
        };

        var message = Assert.Single(_validator.Validate(null, options).Failures!);
        Assert.Contains($"Kafka:Client:{property}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_settings_stop_the_host_at_startup()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Kafka:BootstrapServers"] = "kafka:notaport" })
            .Build();
        using var provider = new ServiceCollection().AddLambdaKafka(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Kafka:BootstrapServers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_settings_pass_startup_validation()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Kafka:BootstrapServers"] = "kafka:9092",
                ["Kafka:Client:security.protocol"] = "SSL",
            })
            .Build();
        using var provider = new ServiceCollection().AddLambdaKafka(configuration).BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal("SSL", provider.GetRequiredService<IOptions<KafkaOptions>>().Value.Client["security.protocol"]);
    }
}
