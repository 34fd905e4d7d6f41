using System.ComponentModel;
using System.Globalization;
using Lambda.ServingLayer.Alerts.Leadership;
using Lambda.ServingLayer.Alerts.Storage;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Requests;
using Lambda.ServingLayer.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>
/// <c>GET /api/alerts</c> (every rule and its state), <c>GET /api/alerts/{name}</c> (one) and
/// <c>GET /api/alerts/{name}/history</c> (its transitions), scope <c>query</c>; the admin endpoints are mapped with them
/// (<see cref="AlertAdminEndpoints"/>).
/// </summary>
public static class AlertEndpoints
{
    private const int DefaultHistoryLimit = 100;
    private const int MaxHistoryLimit = 1000;

    /// <summary>Maps the alert endpoints (scope <c>query</c>) and the alert admin endpoints (scope <c>admin</c>).</summary>
    public static RouteGroupBuilder MapAlertEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/alerts").WithTags("Alerts").RequireAuthorization(ApiScopes.Query);
        group.MapGet(string.Empty, ListAlertsAsync)
            .WithName("ListAlerts")
            .WithSummary("Every alert rule (configured and API) with its state: ok or firing, firing groups, last value, since when, last evaluation and error, silence; and whether this instance leads evaluation.");
        group.MapGet("/{name}", GetAlertAsync)
            .WithName("GetAlert")
            .WithSummary("One alert rule and its state; an unknown name is a 404 naming it.")
            .Produces<AlertRuleStatus>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{name}/history", HistoryAsync)
            .WithName("GetAlertHistory")
            .WithQueryStringRules<AlertHistoryRequest>()
            .WithSummary("The rule's transitions (every group), newest first, with their webhook delivery outcome.")
            .Produces<AlertHistoryResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        endpoints.MapAlertAdminEndpoints();
        return group;
    }

    internal static async Task<Ok<AlertListResponse>> ListAlertsAsync(
        IAlertRuleStore store, IAlertLeadership leadership, IOptions<AlertOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var rules = await store.GetRulesAsync(cancellationToken).ConfigureAwait(false);
        var states = await store.GetStatesAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new AlertListResponse(
            options.Value.EvaluationInterval, leadership.IsLeader, rules.Select(r => AlertRuleStatus.Of(r, states, now)).ToArray()));
    }

    internal static async Task<IResult> GetAlertAsync(
        [Description("The alert rule's name.")] string name, IAlertRuleStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.GetRuleAsync(name, cancellationToken).ConfigureAwait(false) is not { } rule)
        {
            return await UnknownAsync(name, store, cancellationToken).ConfigureAwait(false);
        }

        var states = await store.GetStatesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(AlertRuleStatus.Of(rule, states, time.GetUtcNow()));
    }

    internal static async Task<IResult> HistoryAsync(
        [Description("The alert rule's name.")] string name,
        [AsParameters] AlertHistoryRequest request,
        IAlertRuleStore store,
        CancellationToken cancellationToken)
    {
        var limit = DefaultHistoryLimit;
        if (request.Limit is { } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxHistoryLimit))
        {
            return ProblemResults.Parameter("limit", $"'limit' = '{ViewQueryParser.Shorten(text)}' must be one integer from 1 to {MaxHistoryLimit}");
        }

        long? beforeSequence = null;
        DateTimeOffset? beforeTime = null;
        if (request.Before is { } before)
        {
            if (long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                beforeSequence = sequence;
            }
            else if (DateTimeOffset.TryParse(before, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
            {
                beforeTime = instant;
            }
            else
            {
                return ProblemResults.Parameter(
                    "before", $"'before' = '{ViewQueryParser.Shorten(before)}' must be a sequence number (an answer's next_before) or a UTC instant such as 2026-11-25T10:00:00Z");
            }
        }

        if (await store.GetRuleAsync(name, cancellationToken).ConfigureAwait(false) is null)
        {
            return await UnknownAsync(name, store, cancellationToken).ConfigureAwait(false);
        }

        // One more than asked tells whether an older page exists.
        var transitions = await store.GetHistoryAsync(name, limit + 1, beforeSequence, beforeTime, cancellationToken).ConfigureAwait(false);
        var page = transitions.Take(limit).Select(AlertHistoryEntry.Of).ToArray();
        return TypedResults.Ok(new AlertHistoryResponse(name, page, transitions.Count > limit ? page[^1].Sequence : null));
    }

    /// <summary>The 404 for an unknown rule name, listing the rules.</summary>
    internal static async Task<IResult> UnknownAsync(string name, IAlertRuleStore store, CancellationToken cancellationToken)
    {
        var rules = await store.GetRulesAsync(cancellationToken).ConfigureAwait(false);
        var known = rules.Count == 0
            ? "there are no rules (Serving:Alerts:Rules, PUT /api/admin/alerts/{name})"
            : "the rules are " + string.Join(", ", rules.Take(50).Select(r => r.Name)) + (rules.Count > 50 ? ", ..." : string.Empty);
        return ProblemResults.Parameter("name", $"'name' = '{ViewQueryParser.Shorten(name)}' is not an alert rule; {known}", StatusCodes.Status404NotFound);
    }
}
