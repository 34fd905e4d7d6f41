using Lambda.ServingLayer.Problems;

namespace Lambda.ServingLayer.Requests;

/// <summary>Answers a request whose query string breaks <see cref="QueryStringRules{TRequest}"/> with a 400 problem naming the parameter.</summary>
/// <typeparam name="TRequest">The request type the endpoint binds with <c>[AsParameters]</c>.</typeparam>
internal sealed class QueryStringRulesFilter<TRequest> : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return QueryStringRules<TRequest>.TryCheck(context.HttpContext.Request.Query, out var error)
            ? next(context)
            : ValueTask.FromResult<object?>(ProblemResults.Parameter(error));
    }
}
