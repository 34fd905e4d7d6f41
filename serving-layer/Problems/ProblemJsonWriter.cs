using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Problems;

/// <summary>
/// Writes every problem as <c>application/problem+json</c>, whatever the request's Accept header says:
/// ASP.NET Core's default writer writes nothing when Accept rules JSON out, which would leave clients
/// with an empty error. Applies <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/> like the default.
/// </summary>
internal sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> jsonOptions) : IProblemDetailsWriter
{
    public const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(http.Response.WriteAsJsonAsync(
            problem,
            jsonOptions.Value.SerializerOptions,
            ContentType,
            http.RequestAborted));
    }
}
