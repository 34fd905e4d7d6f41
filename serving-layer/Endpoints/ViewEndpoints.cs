using System.Security.Claims;
using Lambda.ServingLayer.Contracts;
using Lambda.ServingLayer.Json;
using Lambda.ServingLayer.Limits;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Requests;
using Lambda.ServingLayer.Security;
using Lambda.ServingLayer.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Endpoints;

/// <summary><c>GET /api/views</c> (the catalog) and <c>GET /api/views/{view}</c> (a merged batch + speed query).</summary>
public static class ViewEndpoints
{
    /// <summary>Maps the view endpoints (scope <c>query</c>).</summary>
    public static RouteGroupBuilder MapViewEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/views").WithTags("Views").RequireAuthorization(ApiScopes.Query);
        group.MapGet(string.Empty, ListViews)
            .WithName("ListViews")
            .WithSummary("The catalog: every view with its dimensions, measures and granularity.");
        group.MapGet("/{view}", QueryViewAsync)
            .WithName("QueryView")
            .WithSummary("Query a view: the batch view up to its offset watermark merged with the speed deltas above it.")
            .WithDescription(
                "Rows per bucket and group over the half-open UTC range [from, to). Coarser granularities roll the view's buckets up; "
                + "'all' gives one row per group (its bucket is 'from'). 'window' gives each row the measures over the trailing window ending with its bucket's end. Every bad parameter is a 400 problem naming it; an unknown view is a 404. "
                + "Limits (section Serving:Limits, each refusal names its setting): a range longer than allowed for the granularity is a 400, "
                + "a window of more buckets than MaxWindowBuckets a 400 naming 'window', more groups than MaxGroups a 422, a query running past Timeout a 504, a key beyond its rate, concurrency or merge-work budget (GroupsPerSecond) a 429 with Retry-After.")
            .WithQueryStringRules<ViewQueryRequest>()
            .Produces<ViewQueryResponseDocument>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .WithRequestTimeout(QueryTimeoutPolicy.Name)
            .RequireRateLimiting(QueryRateLimiterPolicy.Name);
        return group;
    }

    internal static Ok<CatalogResponse> ListViews(LambdaCatalog catalog) =>
        TypedResults.Ok(new CatalogResponse(catalog.Views.Select(ViewDescription.From).ToArray()));

    internal static async Task<IResult> QueryViewAsync(
        [AsParameters] ViewQueryRequest request,
        ViewQueryParser parser,
        ViewQueryEngine engine,
        IOptions<QueryLimitsOptions> limits,
        QueryWorkBudget work,
        ClaimsPrincipal user,
        ServingLayerMetrics metrics,
        CancellationToken cancellationToken)
    {
        if (!parser.TryCreateQuery(request, out var query, out var error))
        {
            if (error.Limit is { } limit)
            {
                metrics.QueryRefused(limit);
            }

            return ProblemResults.Parameter(error);
        }

        var result = await engine.ExecuteAsync(query, cancellationToken).ConfigureAwait(false);
        work.Charge(user, result.GroupsComputed);
        var maxGroups = limits.Value.MaxGroups;
        if (result.GroupCount > maxGroups)
        {
            metrics.QueryRefused("groups");
            var setting = QueryLimitsOptions.Key(nameof(QueryLimitsOptions.MaxGroups));
            return ProblemResults.Parameter(new QueryParameterError(
                ViewQueryParser.GroupBy,
                $"'group_by': the answer holds {result.GroupCount} groups, more than the {maxGroups} one query may return (setting {setting}): "
                + "group by fewer dimensions or filter the groups",
                StatusCodes.Status422UnprocessableEntity,
                Limit: "groups",
                Setting: setting));
        }

        return new ViewQueryHttpResult(result);
    }
}
