using Lambda.ServingLayer.Contracts;
using Lambda.ServingLayer.Pipeline;
using Lambda.ServingLayer.Security;
using Lambda.Shared.Deployment;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Endpoints;

/// <summary><c>GET /api/health/pipeline</c>: the pipeline health series this instance sampled, with threshold breaches.</summary>
public static class PipelineHealthEndpoints
{
    /// <summary>The endpoint's path.</summary>
    public const string Path = "/api/health/pipeline";

    /// <summary>Maps the endpoint (scope <c>query</c>).</summary>
    public static IEndpointRouteBuilder MapPipelineHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(Path, Get)
            .RequireAuthorization(ApiScopes.Query)
            .WithTags("Health")
            .WithName("GetPipelineHealth")
            .WithSummary("Pipeline health per source over the last hour: events/s, speed and archiver lag, freshness, last recompute.")
            .WithDescription(
                "Samples taken by this serving instance every Serving:PipelineHealth:SampleInterval and kept for Serving:PipelineHealth:History "
                + "(in memory: each instance samples on its own, and a restart starts empty). A null value is a read that failed or is not possible yet "
                + "(the first sample has no events/s). 'breached' flags each source's newest value above its threshold (Serving:PipelineHealth:Thresholds).")
            .Produces<PipelineHealthResponse>(StatusCodes.Status200OK, "application/json");
        return endpoints;
    }

    private static PipelineHealthResponse Get(
        LambdaCatalog catalog, PipelineHealthHistory history, IOptions<PipelineHealthOptions> options, IOptions<LambdaModeOptions> mode, TimeProvider time) =>
        PipelineHealthReport.Build(catalog, history, options.Value, time.GetUtcNow(), recomputesExpected: !mode.Value.IsKappa);
}
