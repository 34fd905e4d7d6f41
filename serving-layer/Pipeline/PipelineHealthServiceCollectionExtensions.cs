using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>Registers pipeline health sampling (<see cref="PipelineHealthOptions"/>).</summary>
public static class PipelineHealthServiceCollectionExtensions
{
    /// <summary>
    /// The options, the history, the broker and speed-table readers (TryAdd: a host or test may bring its own) and,
    /// unless <c>Serving:PipelineHealth:Enabled</c> is false, the sampler.
    /// </summary>
    public static IServiceCollection AddPipelineHealth(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PipelineHealthOptions>()
            .Bind(configuration.GetSection(PipelineHealthOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PipelineHealthOptions>, PipelineHealthOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PipelineHealthHistory>();
        services.TryAddSingleton<IKafkaLogReader, KafkaLogReader>();
        services.TryAddSingleton<ISpeedProgressReader, ClickHouseSpeedProgressReader>();
        if (configuration.GetSection(PipelineHealthOptions.SectionName).GetValue(nameof(PipelineHealthOptions.Enabled), true))
        {
            services.AddHostedService<PipelineHealthSampler>();
        }

        return services;
    }
}
