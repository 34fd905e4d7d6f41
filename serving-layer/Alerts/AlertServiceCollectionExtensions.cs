using Lambda.ServingLayer.Alerts.Delivery;
using Lambda.ServingLayer.Alerts.Leadership;
using Lambda.ServingLayer.Alerts.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lambda.ServingLayer.Alerts;

/// <summary>DI registration of the alert rules.</summary>
public static class AlertServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="AlertOptions"/> (<c>Serving:Alerts</c>, checked against the catalog on start), and
    /// registers (TryAdd: a host or test may bring its own) the PostgreSQL <see cref="IAlertRuleStore"/> and
    /// <see cref="IAlertLeadership"/> over the registered <see cref="NpgsqlDataSource"/>, the webhook
    /// <see cref="IAlertNotifier"/>, <see cref="TimeProvider.System"/> unless one is registered, the
    /// <see cref="AlertMonitor"/>, the delivery service and the evaluating background service.
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
        services.TryAddSingleton<IAlertRuleStore>(sp => new PostgresAlertRuleStore(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IOptions<AlertOptions>>().Value.Schema));
        services.TryAddSingleton<IAlertLeadership, PostgresAlertLeadership>();
        services.TryAddSingleton<AlertDeliveryService>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertDeliveryService>());
        services.TryAddSingleton<AlertMonitor>();
        services.AddHostedService<AlertEvaluationService>();
        return services;
    }
}
