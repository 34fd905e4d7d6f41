using Lambda.ServingLayer.Querying;
using Microsoft.AspNetCore.Mvc;

namespace Lambda.ServingLayer.Problems;

/// <summary>Problem-details results whose message and <c>parameter</c> extension name the input at fault.</summary>
public static class ProblemResults
{
    /// <summary>The extension member that names the bad parameter, field or header.</summary>
    public const string ParameterExtension = "parameter";

    /// <summary>A 400 (or the error's own status) naming <see cref="QueryParameterError.Parameter"/>.</summary>
    public static IResult Parameter(QueryParameterError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Parameter(error.Parameter, error.Message, error.StatusCode);
    }

    /// <summary>A problem with status <paramref name="status"/> naming <paramref name="parameter"/>.</summary>
    public static IResult Parameter(string parameter, string detail, int status = StatusCodes.Status400BadRequest)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = status == StatusCodes.Status404NotFound ? "Not found" : $"Invalid '{parameter}'",
            Detail = detail,
        };
        problem.Extensions[ParameterExtension] = parameter;
        return TypedResults.Problem(problem);
    }
}
