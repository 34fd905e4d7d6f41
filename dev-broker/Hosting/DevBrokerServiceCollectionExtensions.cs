using Lambda.DevBroker.Native;
using Lambda.DevBroker.Topics;
using Microsoft.Extensions.Options;

namespace Lambda.DevBroker.Hosting;

/// <summary>Registers the mock cluster, topic management and the services that start and announce it.</summary>
internal static class DevBrokerServiceCollectionExtensions
{
    public static IServiceCollection AddDevBroker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DevBrokerOptions>()
            .Bind(configuration.GetSection(DevBrokerOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DevBrokerOptions>, DevBrokerOptionsValidator>();

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DevBrokerOptions>>().Value;
            var cluster = MockKafkaCluster.Start(options.BrokerCount, options.GroupInitialRebalanceDelayMs);
            sp.GetRequiredService<ILogger<MockKafkaCluster>>().LogInformation(
                "Mock Kafka cluster with {BrokerCount} broker(s) listening on {BootstrapServers}",
                options.BrokerCount, cluster.BootstrapServers);
            return cluster;
        });
        services.AddSingleton<TopicManager>();
        services.AddProblemDetails();

        // Order matters: topics exist before the addresses are published.
        services.AddHostedService<ConfiguredTopicsService>();
        services.AddHostedService<StateFilePublisher>();
        return services;
    }
}
