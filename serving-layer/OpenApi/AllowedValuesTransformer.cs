using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Lambda.ServingLayer.OpenApi;

/// <summary>
/// Lists a parameter's <see cref="AllowedValuesAttribute"/> values as its schema's <c>enum</c>: the document generator
/// reads <c>[Description]</c>, <c>[Required]</c> and <c>[RegularExpression]</c> from bound request types, but not this.
/// </summary>
internal sealed class AllowedValuesTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (operation.Parameters is not { Count: > 0 } parameters)
        {
            return Task.CompletedTask;
        }

        foreach (var description in context.Description.ParameterDescriptions)
        {
            var allowed = (description.ParameterDescriptor as IParameterInfoParameterDescriptor)?.ParameterInfo.GetCustomAttribute<AllowedValuesAttribute>();
            if (allowed is null
                || parameters.FirstOrDefault(p => string.Equals(p.Name, description.Name, StringComparison.Ordinal)) is not OpenApiParameter { Schema: OpenApiSchema schema })
            {
                continue;
            }

            schema.Enum = allowed.Values.Select(v => (JsonNode)JsonValue.Create(v?.ToString() ?? string.Empty)).ToList();
        }

        return Task.CompletedTask;
    }
}
