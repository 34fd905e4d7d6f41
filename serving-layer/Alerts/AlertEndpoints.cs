using System.ComponentModel;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Alerts;

/// <summary><c>GET /api/alerts</c> (every rule and its state) and <c>GET /api/alerts/{name}</c> (one).</summary>
public static class AlertEndpoints
{
    /// <summary>Maps the alert endpoints (scope <c>query</c>).</summary>
    public static RouteGroupBuilder MapAlertEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/alerts").WithTags("Alerts").RequireAuthorization(ApiScopes.Query);
        group.MapGet(string.Empty, ListAlerts)
            .WithName("ListAlerts")
            .WithSummary("Every configured alert rule (Serving:Alerts:Rules) with its state: ok or firing, last value, since when, last evaluation and error.");
        group.MapGet("/{name}", GetAlert)
            .WithName("GetAlert")
            .WithSummary("One alert rule and its state; an unknown name is a 404 naming it.")
            .Produces<AlertRuleStatus>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    internal static Ok<AlertListResponse> ListAlerts(AlertMonitor monitor, IOptions<AlertOptions> options) =>
        TypedResults.Ok(new AlertListResponse(options.Value.EvaluationInterval, monitor.GetStatuses()));

    internal static IResult GetAlert([Description("The alert rule's name (Serving:Alerts:Rules).")] string name, AlertMonitor monitor)
    {
        if (monitor.GetStatus(name) is { } status)
        {
            return TypedResults.Ok(status);
        }

        var known = monitor.Rules.Count == 0 ? "no rules are configured (Serving:Alerts:Rules)" : "the rules are " + string.Join(", ", monitor.Rules.Select(r => r.Name));
        return ProblemResults.Parameter("name", $"'name' = '{ViewQueryParser.Shorten(name)}' is not a configured alert rule; {known}", StatusCodes.Status404NotFound);
    }
}
