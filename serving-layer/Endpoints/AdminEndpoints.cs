using Lambda.Shared.BatchViews;
using Lambda.Shared.Lookups;
using System.Globalization;
using Lambda.ServingLayer.Admin;
using Lambda.ServingLayer.Configuration;
using Lambda.ServingLayer.Contracts;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.OpenApi;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Requests;
using Lambda.ServingLayer.Security;
using Lambda.Shared.Batch;
using Lambda.Shared.Deployment;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Endpoints;

/// <summary><c>POST /api/admin/batch/recompute</c> and <c>GET /api/admin/batch/status</c> (scope <c>admin</c>).</summary>
public static class AdminEndpoints
{
    private const int MaxRecomputeBodyBytes = 4096;
    private const int MaxStatusRuns = 1000;

    /// <summary>Maps the admin endpoints.</summary>
    public static RouteGroupBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/batch").WithTags("Admin").RequireAuthorization(ApiScopes.Admin);
        group.MapPost("/recompute", RecomputeAsync)
            .WithName("EnqueueRecompute")
            .WithSummary("Enqueue a batch recompute now (Hangfire, queue 'batch').")
            .WithDescription(
                "No body: an incremental recompute. {\"from\":\"2026-11-01\",\"to\":\"2026-11-03\"}: a backfill of those UTC days (inclusive). "
                + "{\"mode\":\"full\"}: every day of the master dataset. Answers 202 with the Hangfire job id; 409 in Kappa mode (Lambda:Mode = kappa).")
            .AddOpenApiOperationTransformer(RequestBodyDocumentation.Json<RecomputeArguments>(
                required: false, "Optional: {\"from\":\"2026-11-01\",\"to\":\"2026-11-03\"} for a backfill of those UTC days (inclusive), or {\"mode\":\"full\"}."))
            .Produces<RecomputeAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/status", StatusAsync)
            .WithName("BatchStatus")
            .WithQueryStringRules<BatchStatusRequest>()
            .WithSummary("The latest batch runs (state, timings, rows) and the published watermark of every batch view.")
            .Produces<BatchStatusResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    internal static async Task<IResult> RecomputeAsync(
        HttpContext context, IBatchJobScheduler scheduler, IOptions<LambdaModeOptions> mode, CancellationToken cancellationToken)
    {
        if (mode.Value.IsKappa)
        {
            return TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Recomputes are off in Kappa mode",
                Detail = LambdaModeOptions.RecomputesOffInKappa,
                Extensions = { [ProblemResults.SettingExtension] = $"{LambdaModeOptions.SectionName}:{nameof(LambdaModeOptions.Mode)}" },
            });
        }

        var body = await RequestBody.ReadAsync(context.Request, MaxRecomputeBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return ProblemResults.Parameter(IngestBodyReader.BodyParameter, $"the body is larger than {MaxRecomputeBodyBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        }

        if (body.WrittenCount > 0 && !IsJson(context.Request.ContentType))
        {
            return ProblemResults.Parameter(
                IngestBodyReader.ContentTypeParameter,
                $"Content-Type '{ViewQueryParser.Shorten(context.Request.ContentType)}' is not supported; send application/json or no body",
                StatusCodes.Status415UnsupportedMediaType);
        }

        if (!JsonBodyBinder.TryBind(body.WrittenSpan, new RecomputeArguments(), out var arguments, out var bindError))
        {
            return ProblemResults.Parameter(bindError);
        }

        if (!RecomputeRequestValidator.TryValidate(arguments, out var request, out var error))
        {
            return ProblemResults.Parameter(error.Parameter, error.Message);
        }

        var jobId = await scheduler.EnqueueRecomputeAsync(request, cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted(
            "/api/admin/batch/status",
            new RecomputeAccepted(jobId, request.Mode.ToName(), request.From, request.To, HangfireBatchJobScheduler.Queue));
    }

    internal static async Task<IResult> StatusAsync(
        [AsParameters] BatchStatusRequest request,
        IBatchStatusStore statusStore,
        IBatchViewStore batchViews,
        LambdaCatalog catalog,
        IOptions<ServingOptions> options,
        IManifestStore manifests,
        ILookupReader lookups,
        CancellationToken cancellationToken)
    {
        var limit = options.Value.StatusRunCount;
        if (request.Limit is { } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxStatusRuns))
        {
            return ProblemResults.Parameter("limit", $"'limit' = '{ViewQueryParser.Shorten(text)}' must be one integer from 1 to {MaxStatusRuns}");
        }

        var runsTask = statusStore.GetRecentRunsAsync(limit, cancellationToken);
        var snapshot = await batchViews.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var runs = await runsTask.ConfigureAwait(false);
        var watermark = snapshot.Views
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .ToDictionary(
                v => v.Key,
                v => PublishedViewDescription.From(v.Value, catalog.TryGetView(v.Key, out var view) ? view.DefinitionHash : null),
                StringComparer.Ordinal);
        var redo = await LookupRedoAsync(catalog, manifests, lookups, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new BatchStatusResponse(runs.Select(BatchRunDescription.From).ToArray(), watermark, redo));
    }

    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<DateOnly>>> LookupRedoAsync(
        LambdaCatalog catalog, IManifestStore manifests, ILookupReader lookups, CancellationToken cancellationToken)
    {
        var redo = new SortedDictionary<string, IReadOnlyList<DateOnly>>(StringComparer.Ordinal);
        if (catalog.Lookups.Count == 0 || await manifests.LoadAsync(cancellationToken).ConfigureAwait(false) is not { } manifest)
        {
            return redo;
        }

        var current = await lookups.ReadSnapshotAsync(catalog, cancellationToken).ConfigureAwait(false);
        foreach (var (name, entry) in manifest.Views)
        {
            if (catalog.TryGetView(name, out var view) && view.Enrichments.Count > 0 && view.DefinitionHash == entry.DefinitionHash
                && await LookupRedo.DaysAsync(view, entry, current, lookups, cancellationToken).ConfigureAwait(false) is { Count: > 0 } days)
            {
                redo[name] = days;
            }
        }

        return redo;
    }

    /// <summary>True when <paramref name="contentType"/> is JSON (the admin endpoints' bodies).</summary>
    internal static bool IsJson(string? contentType) =>
        IngestBodyReader.TryGetFormat(contentType, out var format, out _) && format == IngestFormat.Json;
}
