using System.ComponentModel;
using System.Globalization;
using Lambda.ServingLayer.Configuration;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.OpenApi;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Security;
using Lambda.ServingLayer.Telemetry;
using Lambda.Shared.Batch;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Endpoints;

/// <summary><c>POST /api/events/{source}</c>: validate events and write the accepted ones to the source's Kafka topic.</summary>
public static class EventEndpoints
{
    /// <summary>The problem member repeating the <c>Retry-After</c> seconds of a refused request.</summary>
    public const string RetryAfterExtension = "retry_after_seconds";

    /// <summary>Maps the ingest endpoint (scope <c>ingest</c>).</summary>
    public static RouteGroupBuilder MapEventEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/events").WithTags("Events").RequireAuthorization(ApiScopes.Ingest);
        group.MapPost("/{source}", IngestAsync)
            .WithName("IngestEvents")
            .WithSummary("Ingest events of a source: a JSON array or NDJSON (one event per line).")
            .WithDescription(
                "Each record is validated against the source's fields (the rules the speed and batch layers apply). Accepted records are "
                + "written to the source's Kafka topic (acks=all, idempotent) and acknowledged before the 202 answer; rejected records "
                + "are listed one by one with index, reason, field and code. A body that is neither JSON array nor NDJSON is a 400; "
                + "another media type a 415; more events than allowed a 413; Kafka not acknowledging a 503 (retry: records may repeat). While the "
                + "batch layer's archiver is too far behind on the source's topic, the request is refused with 503 and Retry-After before its body "
                + "is read (nothing is written; send it again after that many seconds).")
            .AddOpenApiOperationTransformer(RequestBodyDocumentation.AddIngestBody)
            .Produces<IngestResult>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    internal static async Task<IResult> IngestAsync(
        [Description("The source (topic) the events belong to; GET /api/views lists each view's source.")] string source,
        HttpContext context,
        LambdaCatalog catalog,
        EventIngestor ingestor,
        IOptions<ServingOptions> options,
        IngestGate gate,
        IOptions<IngestBackpressureOptions> backpressure,
        ServingLayerMetrics metrics,
        CancellationToken cancellationToken)
    {
        if (!catalog.TryGetSource(source, out var definition))
        {
            return ProblemResults.Parameter(
                "source",
                $"source '{ViewQueryParser.Shorten(source)}' is not in the catalog; the sources are {string.Join(", ", catalog.Sources.Select(s => s.Name))}",
                StatusCodes.Status404NotFound);
        }

        if (backpressure.Value.Enabled && gate.IsClosed(definition.Topic, out var behind))
        {
            // Before the body is read: a refused producer should not have to send it, and nothing is published.
            metrics.IngestRefused(definition.Name);
            return ArchiverBehind(context, definition.Name, behind, backpressure.Value.RetryAfterSeconds);
        }

        if (!IngestBodyReader.TryGetFormat(context.Request.ContentType, out var format, out var error))
        {
            return ProblemResults.Parameter(error);
        }

        var settings = options.Value;
        var body = await RequestBody.ReadAsync(context.Request, settings.MaxIngestBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return ProblemResults.Parameter(
                IngestBodyReader.BodyParameter,
                $"the body is larger than {settings.MaxIngestBytes} bytes; split it into smaller requests",
                StatusCodes.Status413PayloadTooLarge);
        }

        if (!IngestBodyReader.TrySplit(body.WrittenMemory, format, settings.MaxIngestRecords, out var records, out error))
        {
            return ProblemResults.Parameter(error);
        }

        var result = await ingestor.IngestAsync(definition, records, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(result, statusCode: StatusCodes.Status202Accepted);
    }

    private static IResult ArchiverBehind(HttpContext context, string source, ArchiverLagReport behind, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Service unavailable",
            detail: string.Create(
                CultureInfo.InvariantCulture,
                $"source '{source}' is not accepting events for now: the batch layer's archiver is {behind.Lag} messages behind on partition {behind.Partition} (limit {behind.MaxLag}); nothing was written, send the request again after {retryAfterSeconds} s"),
            extensions: new Dictionary<string, object?> { [RetryAfterExtension] = retryAfterSeconds });
    }
}
