using Lambda.Shared.ClickHouse;
using Lambda.Shared.Kafka.Epochs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Kafka;

/// <summary>DI registration of the Kafka settings and the client configuration factory.</summary>
public static class KafkaServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="KafkaOptions"/> from the <c>Kafka</c> section, validates it when the host
    /// starts, and registers <see cref="KafkaClientConfigFactory"/>.
    /// </summary>
    public static IServiceCollection AddLambdaKafka(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<KafkaOptions>()
            .Bind(configuration.GetSection(KafkaOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>());
        services.TryAddSingleton<KafkaClientConfigFactory>();
        return services;
    }

    /// <summary>
    /// Registers what a consumer that stores offsets needs to keep them in epochs: the <see cref="EpochPlanner"/>,
    /// the ClickHouse <see cref="IOffsetEpochRegistry"/> (an <see cref="IClickHouseClient"/> must be registered),
    /// the broker's <see cref="ITopicIdReader"/> and the process's <see cref="OffsetEpochStatus"/>.
    /// </summary>
    public static IServiceCollection AddLambdaOffsetEpochs(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IOffsetEpochRegistry, ClickHouseOffsetEpochRegistry>();
        services.TryAddSingleton<ITopicIdReader, KafkaTopicIdReader>();
        services.TryAddSingleton(sp => new OffsetEpochStatus(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<EpochPlanner>();
        return services;
    }
}
