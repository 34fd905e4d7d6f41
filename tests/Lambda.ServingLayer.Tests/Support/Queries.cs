using Lambda.ServingLayer.Configuration;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Requests;
using Lambda.Shared.Catalog;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Builds queries from query strings, the way the endpoint does: query-string rules, binding, parser.</summary>
internal static class Queries
{
    public static ViewQueryParser Parser(LambdaCatalog catalog, int maxRows = 100_000) =>
        new(catalog, Options.Create(new ServingOptions { MaxQueryRows = maxRows }));

    /// <summary>
    /// The bound request for <paramref name="queryString"/> (without '?'), as <c>[AsParameters]</c> binds it: names
    /// case-insensitive, absent parameters null, <c>filter</c> every value.
    /// </summary>
    public static ViewQueryRequest Request(string view, string queryString)
    {
        var query = new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>(QueryHelpers.ParseQuery(queryString), StringComparer.OrdinalIgnoreCase);
        string? One(string name) => query.TryGetValue(name, out var value) ? value.ToString() : null;
        return new ViewQueryRequest
        {
            View = view,
            From = One("from"),
            To = One("to"),
            Granularity = One("granularity"),
            GroupBy = One("group_by"),
            Filter = query.TryGetValue("filter", out var filter) ? filter.Select(v => v ?? string.Empty).ToArray() : null,
            Limit = One("limit"),
            Where = One("where"),
            Quantiles = One("quantiles"),
            Window = One("window"),
        };
    }

    /// <summary>Parses <paramref name="queryString"/> (without '?') for <paramref name="view"/>; fails the test on an error.</summary>
    public static ViewQuery Parse(LambdaCatalog catalog, string view, string queryString)
    {
        if (!TryParse(Parser(catalog), view, queryString, out var query, out var error))
        {
            Assert.Fail($"{error.Parameter}: {error.Message}");
        }

        return query;
    }

    /// <summary>The error for <paramref name="queryString"/>; fails the test when it parses.</summary>
    public static QueryParameterError Error(LambdaCatalog catalog, string view, string queryString, int maxRows = 100_000)
    {
        if (TryParse(Parser(catalog, maxRows), view, queryString, out _, out var error))
        {
            Assert.Fail($"'{queryString}' was accepted");
        }

        return error;
    }

    private static bool TryParse(
        ViewQueryParser parser,
        string view,
        string queryString,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ViewQuery? query,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out QueryParameterError? error)
    {
        query = null;
        return QueryStringRules<ViewQueryRequest>.TryCheck(QueryHelpers.ParseQuery(queryString), out error)
            && parser.TryCreateQuery(Request(view, queryString), out query, out error);
    }
}
