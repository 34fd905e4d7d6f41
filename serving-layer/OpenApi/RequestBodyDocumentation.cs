using Lambda.ServingLayer.Contracts;
using Lambda.ServingLayer.Ingest;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Lambda.ServingLayer.OpenApi;

/// <summary>
/// Documents the request bodies the handlers read themselves. <c>Accepts</c> metadata would also do it, but it makes
/// routing answer other media types with a bare 415 before the handler can name the Content-Type at fault.
/// </summary>
internal static class RequestBodyDocumentation
{
    public static Task AddIngestBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Items = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "One event: the source's time field and every declared field." },
                },
            },
        };
        foreach (var mediaType in IngestBodyReader.AcceptedMediaTypes.Skip(1))
        {
            content[mediaType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "One JSON event object per line; blank lines are skipped." },
            };
        }

        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "Events of the source: a JSON array, or NDJSON (one event per line).",
            Content = content,
        };
        return Task.CompletedTask;
    }

    public static async Task AddRecomputeBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var schema = await context.GetOrCreateSchemaAsync(typeof(RecomputeBodyDocument), null, cancellationToken).ConfigureAwait(false);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = false,
            Description = "Optional: {\"from\":\"2026-11-01\",\"to\":\"2026-11-03\"} for a backfill of those UTC days (inclusive), or {\"mode\":\"full\"}.",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }
}
