using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.ClickHouse;

/// <summary>Registers the ClickHouse seam.</summary>
public static class ClickHouseServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ClickHouseOptions"/> from <paramref name="section"/> (usually
    /// <c>configuration.GetSection("ClickHouse")</c>) and validates them on start; registers
    /// <see cref="IClickHouseClient"/> as a typed HttpClient named <see cref="ClickHouseClient.HttpClientName"/>
    /// and the health check "clickhouse" (tags "clickhouse", "ready").
    /// </summary>
    public static IServiceCollection AddLambdaClickHouse(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);

        services.AddOptions<ClickHouseOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClickHouseOptions>, ClickHouseOptionsValidator>());

        services.AddHttpClient<IClickHouseClient, ClickHouseClient>(ClickHouseClient.HttpClientName, http =>
            {
                // Each call sets its own deadline (ClickHouseOptions.RequestTimeout); streamed reads may run longer.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = provider.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
                return new SocketsHttpHandler
                {
                    ConnectTimeout = options.ConnectTimeout,
                    PooledConnectionIdleTimeout = options.PooledConnectionIdleTimeout,
                    // Lets a client held by a singleton follow DNS changes without handler rotation.
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    AutomaticDecompression = System.Net.DecompressionMethods.None,
                    UseCookies = false,
                };
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        services.AddHealthChecks().AddCheck<ClickHouseHealthCheck>("clickhouse", tags: ["clickhouse", "ready"]);
        return services;
    }
}
