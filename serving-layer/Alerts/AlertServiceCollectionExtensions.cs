using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Alerts;

/// <summary>DI registration of the alert rules.</summary>
public static class AlertServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="AlertOptions"/> (<c>Serving:Alerts</c>, checked against the catalog on start),
    /// registers the <see cref="AlertMonitor"/>, the webhook <see cref="IAlertNotifier"/> (TryAdd: a host may bring its
    /// own), <see cref="TimeProvider.System"/> unless one is registered, and the evaluating background service.
    /// </summary>
    public static IServiceCollection AddServingAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AlertOptions>()
            .Bind(configuration.GetSection(AlertOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(WebhookAlertNotifier.HttpClientName, (sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<AlertOptions>>().Value.WebhookTimeout + TimeSpan.FromSeconds(1));
        services.TryAddSingleton<IAlertNotifier, WebhookAlertNotifier>();
        services.TryAddSingleton<AlertMonitor>();
        services.AddHostedService<AlertEvaluationService>();
        return services;
    }
}
