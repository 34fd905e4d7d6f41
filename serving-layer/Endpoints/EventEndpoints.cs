using System.ComponentModel;
using Lambda.ServingLayer.Configuration;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.OpenApi;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Security;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Endpoints;

/// <summary><c>POST /api/events/{source}</c>: validate events and write the accepted ones to the source's Kafka topic.</summary>
public static class EventEndpoints
{
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
                + "another media type a 415; more events than allowed a 413; Kafka not acknowledging a 503 (retry: records may repeat).")
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
        CancellationToken cancellationToken)
    {
        if (!catalog.TryGetSource(source, out var definition))
        {
            return ProblemResults.Parameter(
                "source",
                $"source '{ViewQueryParser.Shorten(source)}' is not in the catalog; the sources are {string.Join(", ", catalog.Sources.Select(s => s.Name))}",
                StatusCodes.Status404NotFound);
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
}
