using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lambda.Shared.SpeedViews;

/// <summary>DI registration of the speed-table store.</summary>
public static class SpeedViewsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISpeedViewStore"/> (ClickHouse). Needs the ClickHouse seam
    /// (<see cref="ClickHouse.ClickHouseServiceCollectionExtensions.AddLambdaClickHouse"/>) and logging.
    /// </summary>
    public static IServiceCollection AddLambdaSpeedViews(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISpeedViewStore, ClickHouseSpeedViewStore>();
        return services;
    }
}
