using Lambda.Shared.Storage;
using Lambda.Shared.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lambda.BatchLayer.Telemetry;

/// <summary>DI registration of the batch layer's telemetry.</summary>
public static class BatchTelemetryServiceCollectionExtensions
{
    /// <summary>
    /// The shared telemetry registration for the batch-layer service, <see cref="BatchLayerMetrics"/> and the master
    /// dataset sampler (<c>Batch:DatasetStats</c>). Only the service (<c>serve</c>) calls it.
    /// </summary>
    public static IServiceCollection AddLambdaBatchTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLambdaTelemetry(configuration, "lambda-batch-layer");
        services.AddLambdaStorage(configuration);
        services.AddOptions<DatasetStatsOptions>()
            .BindConfiguration(DatasetStatsOptions.SectionName)
            .Validate(o => o.Interval > TimeSpan.Zero && o.Interval <= TimeSpan.FromHours(1), $"{DatasetStatsOptions.SectionName}:Interval must be positive and at most one hour.")
            .ValidateOnStart();
        services.AddHostedService<MasterDatasetStatsSampler>();
        return services;
    }
}
