using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.BatchViews;

/// <summary>DI registration of the batch-view storage every layer reads (manifest, reader).</summary>
public static class BatchViewsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="BatchStorageOptions"/> from the <c>Batch</c> section (<c>Batch:DatasetRoot</c>),
    /// validated on start, and registers <see cref="IManifestStore"/> (<see cref="ManifestStore"/>),
    /// <see cref="BatchViewReader"/> as singletons over that root (the batch layer registers its writer itself).
    /// </summary>
    public static IServiceCollection AddLambdaBatchViews(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BatchStorageOptions>()
            .Bind(configuration.GetSection(BatchStorageOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<IManifestStore>(sp => new ManifestStore(sp.GetRequiredService<IOptions<BatchStorageOptions>>().Value.ResolveRoot()));
        services.TryAddSingleton(sp => new BatchViewReader(sp.GetRequiredService<IOptions<BatchStorageOptions>>().Value.ResolveRoot()));
        return services;
    }
}
