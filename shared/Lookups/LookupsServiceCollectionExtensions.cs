using Lambda.Shared.BatchViews;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Lookups;

/// <summary>DI registration of the lookup store (reference data beside the master dataset).</summary>
public static class LookupsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="BatchStorageOptions"/> from the <c>Batch</c> section and registers <see cref="FileLookupStore"/>
    /// over <c>&lt;Batch:DatasetRoot&gt;/lookups</c> as <see cref="ILookupReader"/> and <see cref="ILookupPublisher"/> (singletons).
    /// </summary>
    public static IServiceCollection AddLambdaLookups(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BatchStorageOptions>().Bind(configuration.GetSection(BatchStorageOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new FileLookupStore(
            sp.GetRequiredService<IOptions<BatchStorageOptions>>().Value.ResolveRoot(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ILookupReader>(sp => sp.GetRequiredService<FileLookupStore>());
        services.TryAddSingleton<ILookupPublisher>(sp => sp.GetRequiredService<FileLookupStore>());
        return services;
    }
}
