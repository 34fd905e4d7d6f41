using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Deployment;

/// <summary>DI registration of the deployment mode.</summary>
public static class LambdaModeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LambdaModeOptions"/> bound from the <c>Lambda</c> section, validated when the host starts
    /// (a bad <c>Lambda:Mode</c> stops start-up, naming it). Idempotent; <see cref="Catalog.CatalogServiceCollectionExtensions.AddLambdaCatalog"/> calls it,
    /// because the catalog's view versions depend on the mode.
    /// </summary>
    public static IServiceCollection AddLambdaMode(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LambdaModeOptions>()
            .BindConfiguration(LambdaModeOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LambdaModeOptions>, LambdaModeOptionsValidator>());
        return services;
    }
}
