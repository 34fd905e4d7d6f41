using Lambda.ServingLayer.AdHocJobs;
using Lambda.ServingLayer.Alerts.Api;
using Lambda.ServingLayer.Dashboard;
using Lambda.ServingLayer.Endpoints;
using Lambda.Shared.Telemetry;
using Scalar.AspNetCore;
using Lambda.ServingLayer.Drift;

namespace Lambda.ServingLayer;

/// <summary>The serving layer's request pipeline and endpoints.</summary>
public static class ServingLayerApplicationExtensions
{
    /// <summary>
    /// Problem details for exceptions and empty error answers (404, 405, ...), API-key authentication, the OpenAPI
    /// document (<c>/openapi/v1.json</c>), the API reference page (<c>/docs</c>), health endpoints, the API and the live dashboard (<c>/dashboard</c>, pipeline health on <c>/dashboard/health</c>).
    /// </summary>
    public static WebApplication UseServingLayer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        // After authorization: limits are per API key, and a request without a valid key is a 401, not a 429.
        app.UseRateLimiter();
        app.UseRequestTimeouts();

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("Lambda serving layer")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        app.MapHealthEndpoints();
        app.MapLambdaMetrics();
        app.MapViewEndpoints();
        app.MapEventEndpoints();
        app.MapAdminEndpoints();
        app.MapLookupAdminEndpoints();
        app.MapAdHocJobEndpoints();
        app.MapAlertEndpoints();
        app.MapDriftEndpoints();
        app.MapPipelineHealthEndpoints();
        app.MapDashboardEndpoints();
        return app;
    }
}
