using System.Globalization;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Requests;
using Lambda.ServingLayer.Security;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Drift;

/// <summary><c>GET /api/admin/drift</c> (scope <c>admin</c>): what the batch layer's drift audits found.</summary>
public static class DriftEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    /// <summary>Maps the drift endpoint.</summary>
    public static RouteGroupBuilder MapDriftEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/drift").WithTags("Admin").RequireAuthorization(ApiScopes.Admin);
        group.MapGet(string.Empty, GetDriftAsync)
            .WithName("GetDrift")
            .WithQueryStringRules<DriftRequest>()
            .WithSummary("The drift audits after each recompute (speed deltas vs the batch layer over the same offsets) and the differences they found: view, bucket, group, measure, both values.")
            .Produces<DriftResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return group;
    }

    internal static async Task<IResult> GetDriftAsync(
        [AsParameters] DriftRequest request, IDriftReportStore store, LambdaCatalog catalog, CancellationToken cancellationToken)
    {
        var limit = DefaultLimit;
        if (request.Limit is { } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            return ProblemResults.Parameter("limit", $"'limit' = '{ViewQueryParser.Shorten(text)}' must be one integer from 1 to {MaxLimit}");
        }

        var view = string.IsNullOrWhiteSpace(request.View) ? null : request.View.Trim();
        if (view is not null && !catalog.TryGetView(view, out _))
        {
            return ProblemResults.Parameter(
                "view", $"'view' = '{ViewQueryParser.Shorten(view)}' is not a view of the catalog; the views are {string.Join(", ", catalog.Views.Select(v => v.Name))}");
        }

        if (!TryParseInstant(request.From, "from", out var from, out var fromError))
        {
            return fromError;
        }

        if (!TryParseInstant(request.To, "to", out var to, out var toError))
        {
            return toError;
        }

        if (from is { } f && to is { } t && f >= t)
        {
            return ProblemResults.Parameter("to", $"'to' = {t:O} must be after 'from' = {f:O}");
        }

        var audits = await store.GetAuditsAsync(view, limit, cancellationToken).ConfigureAwait(false);
        var differences = await store.GetDifferencesAsync(view, from, to, limit, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new DriftResponse(audits, differences));
    }

    private static bool TryParseInstant(string? text, string name, out DateTimeOffset? instant, out IResult error)
    {
        instant = null;
        error = TypedResults.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        // The query API's reading of from/to, so the two endpoints accept the same instants.
        if (!ViewQueryParser.TryParseInstant(text.Trim(), out var milliseconds))
        {
            error = ProblemResults.Parameter(
                name, $"'{name}' = '{ViewQueryParser.Shorten(text)}' is not an ISO-8601 instant with an offset (2026-11-25T10:00:00Z), a date (2026-11-25) or epoch milliseconds");
            return false;
        }

        instant = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return true;
    }
}
