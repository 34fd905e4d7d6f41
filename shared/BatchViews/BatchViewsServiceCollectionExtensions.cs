using Lambda.Shared.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.BatchViews;

/// <summary>DI registration of the batch-view storage every layer reads (manifest, reader).</summary>
public static class BatchViewsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="BatchStorageOptions"/> from the <c>Batch</c> section (<c>Batch:DatasetRoot</c>),
    /// validated on start, adds the object storage (<see cref="StorageServiceCollectionExtensions.AddLambdaStorage"/>) and
    /// registers <see cref="IManifestStore"/> (<see cref="ManifestStore"/> for <c>Storage:Kind = local</c>,
    /// <see cref="ObjectStoreManifestStore"/> with that root as its local copy for <c>s3</c>) and
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
        services.AddLambdaStorage(configuration);
        services.TryAddSingleton<IManifestStore>(sp =>
        {
            var root = sp.GetRequiredService<IOptions<BatchStorageOptions>>().Value.ResolveRoot();
            return sp.GetRequiredService<IOptions<StorageOptions>>().Value.Kind == StorageKind.S3
                ? new ObjectStoreManifestStore(
                    root,
                    sp.GetRequiredService<IObjectStore>(),
                    sp.GetRequiredService<StorageCatalog>().DataSource,
                    sp.GetRequiredService<ILogger<ObjectStoreManifestStore>>())
                : new ManifestStore(root);
        });
        // The manifest store knows where a publish looks for a run's files, so it stages them too.
        services.TryAddSingleton(sp => (IBatchViewFileStager)sp.GetRequiredService<IManifestStore>());
        services.TryAddSingleton(sp => new BatchViewReader(sp.GetRequiredService<IOptions<BatchStorageOptions>>().Value.ResolveRoot()));
        return services;
    }
}
