using Lambda.ServingLayer.Querying;
using Microsoft.AspNetCore.Mvc;

namespace Lambda.ServingLayer.Problems;

/// <summary>Problem-details results whose message and <c>parameter</c> extension name the input at fault.</summary>
public static class ProblemResults
{
    /// <summary>The extension member that names the bad parameter, field or header.</summary>
    public const string ParameterExtension = "parameter";

    /// <summary>The extension member with the 1-based position of the problem in an expression parameter.</summary>
    public const string PositionExtension = "position";

    /// <summary>The extension member with the token found at <see cref="PositionExtension"/>.</summary>
    public const string TokenExtension = "token";

    /// <summary>The extension member naming the limit a request went beyond (<c>range</c>, <c>groups</c>, <c>rate</c>, ...).</summary>
    public const string LimitExtension = "limit";

    /// <summary>The extension member with the configuration key of the limit a request went beyond.</summary>
    public const string SettingExtension = "setting";

    /// <summary>A 400 (or the error's own status) naming <see cref="QueryParameterError.Parameter"/>.</summary>
    public static IResult Parameter(QueryParameterError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var problem = Problem(error.Parameter, error.Message, error.StatusCode);
        if (error.Position is { } position)
        {
            problem.Extensions[PositionExtension] = position;
            problem.Extensions[TokenExtension] = error.Token;
        }

        if (error.Limit is { } limit)
        {
            problem.Title = "Query limit exceeded";
            problem.Extensions[LimitExtension] = limit;
            problem.Extensions[SettingExtension] = error.Setting;
        }

        return TypedResults.Problem(problem);
    }

    /// <summary>
    /// The problem for a request refused by a query limit outside parameter parsing (rate, concurrency, timeout): the
    /// same <c>limit</c> and <c>setting</c> members as a parameter beyond its limit.
    /// </summary>
    public static ProblemDetails Limit(int status, string title, string detail, string limit, string setting) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Extensions = { [LimitExtension] = limit, [SettingExtension] = setting },
    };

    /// <summary>A problem with status <paramref name="status"/> naming <paramref name="parameter"/>.</summary>
    public static IResult Parameter(string parameter, string detail, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Problem(Problem(parameter, detail, status));

    private static ProblemDetails Problem(string parameter, string detail, int status)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = status == StatusCodes.Status404NotFound ? "Not found" : $"Invalid '{parameter}'",
            Detail = detail,
        };
        problem.Extensions[ParameterExtension] = parameter;
        return problem;
    }
}
