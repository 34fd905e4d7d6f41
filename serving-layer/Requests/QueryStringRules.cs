using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Lambda.ServingLayer.Querying;
using Microsoft.AspNetCore.Mvc;

namespace Lambda.ServingLayer.Requests;

/// <summary>
/// What the framework's query binding does not check for a request type bound with <c>[AsParameters]</c>:
/// a name the type does not declare is refused (a typo would otherwise be silently ignored), and a parameter
/// that is not an array must be given once (binding would join the values with commas). The names come from the
/// type's <see cref="FromQueryAttribute"/>s, so the type is the only list of parameters.
/// </summary>
/// <typeparam name="TRequest">The request type.</typeparam>
public static class QueryStringRules<TRequest>
{
    private static readonly (string Name, bool Repeatable)[] Declared = typeof(TRequest)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => (p.GetCustomAttribute<FromQueryAttribute>()?.Name, p.PropertyType.IsArray))
        .Where(p => p.Name is not null)
        .Select(p => (p.Name!, p.IsArray))
        .ToArray();

    /// <summary>The query parameter names of <typeparamref name="TRequest"/>, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = Declared.Select(p => p.Name).ToArray();

    /// <summary>
    /// Checks <paramref name="query"/> (names compared case-insensitively, as binding does). The request's query collection
    /// already holds each name once with all its values (whatever their case), so a name's value count is how often it was given.
    /// </summary>
    public static bool TryCheck(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> query, [NotNullWhen(false)] out QueryParameterError? error)
    {
        ArgumentNullException.ThrowIfNull(query);
        foreach (var (key, values) in query)
        {
            var index = Array.FindIndex(Declared, p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                var name = ViewQueryParser.Shorten(key);
                error = new QueryParameterError(name, $"unknown query parameter '{name}'; the parameters are {string.Join(", ", Names)}");
                return false;
            }

            var (declared, repeatable) = Declared[index];
            if (!repeatable && values.Count > 1)
            {
                error = new QueryParameterError(declared, $"'{declared}' is given {values.Count} times; give it once");
                return false;
            }
        }

        error = null;
        return true;
    }
}
