using Lambda.Shared.BatchViews;
using Lambda.Shared.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Lookups;

/// <summary>DI registration of the lookup store (reference data beside the master dataset).</summary>
public static class LookupsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="BatchStorageOptions"/> from the <c>Batch</c> section, adds the object storage
    /// (<see cref="StorageServiceCollectionExtensions.AddLambdaStorage"/>) and registers as <see cref="ILookupReader"/> and
    /// <see cref="ILookupPublisher"/> (singletons) <see cref="FileLookupStore"/> over <c>&lt;Batch:DatasetRoot&gt;/lookups</c>
    /// for <c>Storage:Kind = local</c>, or <see cref="ObjectStoreLookupStore"/> (objects in the bucket, versions committed in
    /// PostgreSQL) for <c>s3</c>.
    /// </summary>
    public static IServiceCollection AddLambdaLookups(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BatchStorageOptions>().Bind(configuration.GetSection(BatchStorageOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new FileLookupStore(
            sp.GetRequiredService<IOptions<BatchStorageOptions>>().Value.ResolveRoot(), sp.GetRequiredService<TimeProvider>()));
        services.AddLambdaStorage(configuration);
        services.TryAddSingleton(sp => new ObjectStoreLookupStore(
            sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<StorageCatalog>().DataSource, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ILookupReader>(sp => OnS3(sp) ? sp.GetRequiredService<ObjectStoreLookupStore>() : sp.GetRequiredService<FileLookupStore>());
        services.TryAddSingleton<ILookupPublisher>(sp => OnS3(sp) ? sp.GetRequiredService<ObjectStoreLookupStore>() : sp.GetRequiredService<FileLookupStore>());
        return services;
    }

    private static bool OnS3(IServiceProvider services) =>
        services.GetRequiredService<IOptions<StorageOptions>>().Value.Kind == StorageKind.S3;
}
