using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.Querying;

namespace Lambda.ServingLayer.Requests;

/// <summary>
/// Binds a JSON request body to its request type with System.Text.Json (snake_case names, exact spelling, unknown
/// members refused), and turns a failure into an error naming the member at fault, or <c>body</c>. The handlers
/// read the bytes themselves (size limit, Content-Type check) so those answers can name what is wrong; framework
/// body binding would answer them with a bare 413/415.
/// </summary>
public static class JsonBodyBinder
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 8,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>
    /// Binds <paramref name="body"/>; an empty (or blank) body binds to <paramref name="empty"/>.
    /// </summary>
    /// <returns>True with <paramref name="value"/> set, or false with <paramref name="error"/> naming the member.</returns>
    public static bool TryBind<T>(ReadOnlySpan<byte> body, T empty, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out QueryParameterError? error)
        where T : class
    {
        value = null;
        error = null;
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            value = empty;
            return true;
        }

        var members = Options.GetTypeInfo(typeof(T)).Properties;
        try
        {
            value = JsonSerializer.Deserialize<T>(body, Options);
        }
        catch (JsonException ex)
        {
            error = Describe(ex, members);
            return false;
        }

        if (value is null)
        {
            error = new QueryParameterError(IngestBodyReader.BodyParameter, $"the body must be a JSON object with {List(members)}, or empty");
            return false;
        }

        return true;
    }

    private static QueryParameterError Describe(JsonException exception, IList<JsonPropertyInfo> members)
    {
        // The reader's path says where it stopped: "$.name" is a member, "$" the body itself.
        var path = exception.Path;
        var member = path is { Length: > 2 } && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        if (members.FirstOrDefault(p => p.Name == member) is { } known)
        {
            var kind = known.PropertyType == typeof(string) ? "a string" : $"a {known.PropertyType.Name}";
            return new QueryParameterError(known.Name, $"'{known.Name}' must be {kind} or null");
        }

        if (member is not null && !member.Contains('.', StringComparison.Ordinal) && !member.Contains('[', StringComparison.Ordinal))
        {
            var name = ViewQueryParser.Shorten(member);
            return new QueryParameterError(name, $"unknown property '{name}'; the body may hold {List(members)}");
        }

        return new QueryParameterError(
            IngestBodyReader.BodyParameter,
            $"the body must be a JSON object with {List(members)}, or empty; it is not (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})");
    }

    private static string List(IList<JsonPropertyInfo> members) => string.Join(", ", members.Select(p => p.Name));
}
