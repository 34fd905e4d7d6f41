using Lambda.ServingLayer.Ingest;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Lambda.ServingLayer.OpenApi;

/// <summary>
/// Documents the request bodies the handlers read themselves (a typed JSON body from its type; the ingest body, which
/// is free-form events as JSON or NDJSON, by hand). <c>Accepts</c> metadata would also do it, but it makes
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

    /// <summary>
    /// A transformer that documents a JSON body of type <typeparamref name="TBody"/>, its schema generated from the
    /// type (and its <c>[Description]</c>s) that the handler binds the body to.
    /// </summary>
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> Json<TBody>(bool required, string description) =>
        async (operation, context, cancellationToken) =>
        {
            ArgumentNullException.ThrowIfNull(operation);
            ArgumentNullException.ThrowIfNull(context);
            var schema = await context.GetOrCreateSchemaAsync(typeof(TBody), null, cancellationToken).ConfigureAwait(false);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        };
}
