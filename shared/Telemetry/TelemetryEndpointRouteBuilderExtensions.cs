using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Telemetry;

/// <summary>Maps the Prometheus scrape endpoint of <see cref="TelemetryServiceCollectionExtensions.AddLambdaTelemetry"/>.</summary>
public static class TelemetryEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>Telemetry:MetricsPath</c> (<c>/metrics</c>). With <c>Telemetry:MetricsPort</c> the service also listens
    /// there and the endpoint answers only on that port; with <c>Telemetry:MetricsApiKey</c> a scrape needs the key.
    /// The endpoint bypasses the service's own authentication (it has its own key).
    /// </summary>
    public static IEndpointConventionBuilder MapLambdaMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        var endpoint = app.MapPrometheusScrapingEndpoint(
            options.MetricsPath,
            meterProvider: null,
            configureBranchedPipeline: branch => branch.UseMiddleware<MetricsKeyMiddleware>(),
            optionsName: null);
        endpoint.WithMetadata(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute());
        if (options.MetricsPort is { } port)
        {
            ListenAlsoOn(app, $"http://{options.MetricsHost}:{port}");
            endpoint.RequireHost($"*:{port}");
        }

        return endpoint;
    }

    // Kestrel takes the configured URLs only when none were added in code, so adding the metrics port keeps them.
    private static void ListenAlsoOn(WebApplication app, string url)
    {
        if (app.Urls.Count == 0)
        {
            var configured = app.Configuration[WebHostDefaults.ServerUrlsKey];
            foreach (var existing in (string.IsNullOrWhiteSpace(configured) ? "http://localhost:5000" : configured)
                         .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                app.Urls.Add(existing);
            }
        }

        app.Urls.Add(url);
    }
}
