using Lambda.ServingLayer.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Lambda.ServingLayer.OpenApi;

/// <summary>
/// Declares the <c>X-Api-Key</c> security scheme in the document and, on every operation that needs a scope,
/// the requirement plus its 401/403 problem answers.
/// </summary>
internal sealed class ApiKeySecurityTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info.Title = "Lambda serving layer";
        document.Info.Description =
            "Queries merge the published batch views with the speed layer's deltas by Kafka offset watermark; ingest writes validated events to Kafka. "
            + "Authenticate with the X-Api-Key header (scopes ingest, query, admin). Errors are RFC 7807 problem details naming the bad parameter.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "An API key with the scope the operation names (ingest, query or admin).",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var scopes = context.Description.ActionDescriptor.EndpointMetadata
            .OfType<IAuthorizeData>()
            .Select(a => a.Policy)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (scopes.Count == 0)
        {
            return Task.CompletedTask;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, context.Document)] = scopes,
        });
        operation.Description = $"{operation.Description} Needs an API key with scope: {string.Join(", ", scopes)}.".Trim();
        operation.Responses ??= [];
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid X-Api-Key (problem details)." });
        operation.Responses.TryAdd("403", new OpenApiResponse { Description = $"The key lacks the {string.Join("/", scopes)} scope (problem details)." });
        return Task.CompletedTask;
    }
}
