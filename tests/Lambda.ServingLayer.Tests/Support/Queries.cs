using Lambda.ServingLayer.Configuration;
using Lambda.ServingLayer.Querying;
using Lambda.Shared.Catalog;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Builds queries from query strings, the way the endpoint does.</summary>
internal static class Queries
{
    public static ViewQueryParser Parser(LambdaCatalog catalog, int maxRows = 100_000) =>
        new(catalog, Options.Create(new ServingOptions { MaxQueryRows = maxRows }));

    /// <summary>Parses <paramref name="queryString"/> (without '?') for <paramref name="view"/>; fails the test on an error.</summary>
    public static ViewQuery Parse(LambdaCatalog catalog, string view, string queryString)
    {
        if (!Parser(catalog).TryCreateQuery(view, QueryHelpers.ParseQuery(queryString), out var query, out var error))
        {
            Assert.Fail($"{error.Parameter}: {error.Message}");
        }

        return query;
    }

    /// <summary>The error for <paramref name="queryString"/>; fails the test when it parses.</summary>
    public static QueryParameterError Error(LambdaCatalog catalog, string view, string queryString, int maxRows = 100_000)
    {
        if (Parser(catalog, maxRows).TryCreateQuery(view, QueryHelpers.ParseQuery(queryString), out _, out var error))
        {
            Assert.Fail($"'{queryString}' was accepted");
        }

        return error;
    }
}
