using Amazon.S3;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Dataset;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Storage;

/// <summary>DI registration of the object store every layer shares (README: "Object storage").</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="StorageOptions"/> from the <c>Storage</c> section (validated on start) and registers, as
    /// singletons, <see cref="IObjectStore"/> (<see cref="LocalObjectStore"/> over <c>Batch:DatasetRoot</c>, or
    /// <see cref="S3ObjectStore"/>), the S3 client, <see cref="StorageCatalog"/> (PostgreSQL, resolved by the s3 kind only) and
    /// the master dataset's <see cref="IMasterCommitLogs"/> (<see cref="LocalCommitLogs"/>, or <see cref="ObjectStoreCommitLogs"/>).
    /// </summary>
    public static IServiceCollection AddLambdaStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.AddOptions<BatchStorageOptions>().Bind(configuration.GetSection(BatchStorageOptions.SectionName));
        services.TryAddSingleton<IAmazonS3>(sp => S3ClientFactory.Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.TryAddSingleton(_ => StorageCatalog.Create(configuration[StorageCatalog.ConnectionStringKey]));
        services.TryAddSingleton<IObjectStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Kind == StorageKind.S3
                ? new S3ObjectStore(sp.GetRequiredService<IAmazonS3>(), options.Bucket!, options.Prefix)
                : new LocalObjectStore(sp.GetRequiredService<IOptions<BatchStorageOptions>>().Value.ResolveRoot());
        });
        services.TryAddSingleton<IMasterCommitLogs>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var root = sp.GetRequiredService<IOptions<BatchStorageOptions>>().Value.ResolveRoot();
            return options.Kind == StorageKind.S3
                ? new ObjectStoreCommitLogs(
                    root,
                    sp.GetRequiredService<IObjectStore>(),
                    sp.GetRequiredService<StorageCatalog>().DataSource,
                    options.UncommittedObjectGrace,
                    sp.GetService<TimeProvider>() ?? TimeProvider.System)
                : new LocalCommitLogs(root);
        });
        return services;
    }
}
