namespace Lambda.ServingLayer.Requests;

/// <summary>Adds <see cref="QueryStringRulesFilter{TRequest}"/> to an endpoint.</summary>
public static class QueryStringRulesExtensions
{
    /// <summary>Refuses unknown and repeated query parameters of <typeparamref name="TRequest"/> before the handler runs.</summary>
    public static RouteHandlerBuilder WithQueryStringRules<TRequest>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<QueryStringRulesFilter<TRequest>>();
}
