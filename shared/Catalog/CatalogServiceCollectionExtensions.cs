using Lambda.Shared.Deployment;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Catalog;

/// <summary>DI registration of the catalog.</summary>
public static class CatalogServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CatalogOptions"/> (bound from the <c>Catalog</c> configuration section, e.g.
    /// <c>Catalog:Path</c> / env <c>Catalog__Path</c>) and the <see cref="Catalog"/> singleton. The catalog
    /// is loaded and validated when the host starts (<c>ValidateOnStart</c>): an invalid catalog stops
    /// start-up with every error and its path in the message. Also registers <see cref="LambdaModeOptions"/>: in Kappa mode
    /// the catalog's views are their Kappa builds (<see cref="Catalog.ForMode"/>).
    /// </summary>
    public static IServiceCollection AddLambdaCatalog(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLambdaMode();
        services.AddOptions<CatalogOptions>()
            .BindConfiguration(CatalogOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CatalogOptions>, CatalogOptionsValidator>());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CatalogOptions>>().Value;
            var catalog = CatalogLoader.LoadFile(options.Path).ForMode(sp.GetRequiredService<IOptions<LambdaModeOptions>>().Value.Parsed);
            sp.GetService<ILoggerFactory>()?.CreateLogger(typeof(Catalog).FullName!).LogInformation(
                "Loaded catalog {Path}: {SourceCount} sources, {ViewCount} views ({Views})",
                catalog.Origin,
                catalog.Sources.Count,
                catalog.Views.Count,
                string.Join(", ", catalog.Views.Select(v => $"{v.Name}@{v.DefinitionHash}")));
            return catalog;
        });
        return services;
    }
}
