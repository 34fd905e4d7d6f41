using Lambda.Shared.BatchViews;
using Lambda.Shared.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Lambda.Shared.Schema;

/// <summary>DI registration of the start-up schema check.</summary>
public static class SchemaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SchemaCompatibilityCheck"/> (once) as a hosted service, with the storage it reads the records
    /// from (<see cref="StorageServiceCollectionExtensions.AddLambdaStorage"/>, which binds <see cref="BatchStorageOptions"/>). Call it before registering the host's workers: hosted services start in order.
    /// </summary>
    public static IServiceCollection AddSchemaCompatibilityCheck(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLambdaStorage(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SchemaCompatibilityCheck>());
        return services;
    }
}
