using Lambda.ServingLayer.Querying;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Lambda.ServingLayer.OpenApi;

/// <summary>
/// Documents the view query's parameters. The handler reads them from the query string through
/// <see cref="ViewQueryParser"/> (which also refuses unknown ones), so the document gets them from here.
/// </summary>
internal static class QueryParameterDocumentation
{
    private static readonly (string Name, bool Required, string Description)[] ViewQueryParameters =
    [
        ("from", true, "Start of the range (inclusive), UTC: ISO-8601 with an offset (2026-11-25T10:00:00Z), a date (2026-11-25) or epoch ms. Must be on a bucket boundary of the view's granularity."),
        ("to", true, "End of the range (exclusive), same forms as 'from'; after 'from'."),
        ("granularity", false, "minute, hour, day or all; default the view's own. Finer than the view's is a 400. Coarser buckets at the range's edges hold only the part inside [from, to)."),
        ("group_by", false, "Comma-separated dimensions of the view; absent = every dimension, empty = none (totals)."),
        ("filter", false, "Comma-separated dim:value items, may repeat: values of one dimension are alternatives (country:US,country:DE), different dimensions must all match. Escape ',' and '\\' in a value with '\\'."),
        ("limit", false, "Most rows returned (1..Serving:MaxQueryRows, which is also the default); rows are ordered by bucket, then dimension values."),
        ("quantiles", false, "Comma-separated quantiles from 0 to 1 (at most 20) that every quantiles(f) measure answers with, e.g. 0.5,0.999 (keys p50, p99.9); default p50, p90, p95, p99."),
    ];

    public static Task AddViewQueryParameters(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        operation.Parameters ??= [];
        foreach (var (name, required, description) in ViewQueryParameters)
        {
            var schema = new OpenApiSchema { Type = JsonSchemaType.String };
            if (name == "granularity")
            {
                schema.Enum = QueryGranularityExtensions.Names.Select(n => (System.Text.Json.Nodes.JsonNode)n).ToList();
            }
            else if (name == "limit")
            {
                schema.Type = JsonSchemaType.Integer;
                schema.Minimum = "1";
            }
            else if (name == "filter")
            {
                schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } };
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Required = required,
                Description = description,
                Schema = schema,
            });
        }

        return Task.CompletedTask;
    }
}
