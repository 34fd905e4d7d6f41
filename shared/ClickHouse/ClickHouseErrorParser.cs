using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// Reads ClickHouse error texts. 18.16 writes
/// <c>Code: 62, e.displayText() = DB::Exception: Syntax error: ..., e.what() = DB::Exception</c>;
/// newer servers write <c>Code: 62. DB::Exception: Syntax error: .... (SYNTAX_ERROR) (version 24.8.1.1)</c>
/// and also send the code in the <c>X-ClickHouse-Exception-Code</c> header.
/// </summary>
internal static partial class ClickHouseErrorParser
{
    /// <summary>
    /// Server error codes that describe a passing condition of the server or cluster rather than a
    /// fault in the request: retrying later may succeed.
    /// </summary>
    private static readonly HashSet<int> TransientCodes =
    [
        159, // TIMEOUT_EXCEEDED
        202, // TOO_MANY_SIMULTANEOUS_QUERIES
        203, // NO_FREE_CONNECTION
        209, // SOCKET_TIMEOUT
        210, // NETWORK_ERROR
        225, // NO_ZOOKEEPER
        236, // ABORTED
        241, // MEMORY_LIMIT_EXCEEDED
        242, // TABLE_IS_READ_ONLY (replica lost its coordinator for a while)
        252, // TOO_MANY_PARTS (inserts outpace merges: back off)
        285, // TOO_FEW_LIVE_REPLICAS
        319, // UNKNOWN_STATUS_OF_INSERT
        373, // SESSION_IS_LOCKED (another request of the same session still runs)
        425, // SYSTEM_ERROR
        439, // CANNOT_SCHEDULE_TASK
        999, // KEEPER_EXCEPTION
    ];

    /// <summary>Whether a failure of this kind, code and status may go away on its own.</summary>
    public static bool IsTransient(ClickHouseFailureKind kind, int? errorCode, HttpStatusCode? statusCode) => kind switch
    {
        ClickHouseFailureKind.Network or ClickHouseFailureKind.Timeout => true,
        ClickHouseFailureKind.Server when errorCode is { } code => TransientCodes.Contains(code),
        // No ClickHouse code: a proxy or load balancer in between answered.
        ClickHouseFailureKind.Server => statusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests,
        _ => false,
    };

    /// <summary>The exception for a non-success HTTP answer.</summary>
    public static ClickHouseException FromResponse(HttpStatusCode statusCode, string body, string? exceptionCodeHeader)
    {
        var parsed = TryParse(body, out var code, out var name, out var message);
        if (int.TryParse(exceptionCodeHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var headerCode))
        {
            code = headerCode;
            parsed = true;
        }

        var text = parsed ? message : Truncate(body.Trim(), 2000);
        var summary = parsed
            ? $"ClickHouse error {code}{(name is null ? "" : $" ({name})")}: {text}"
            : $"ClickHouse answered HTTP {(int)statusCode} {statusCode}: {(text.Length == 0 ? "(empty body)" : text)}";
        return new ClickHouseException(
            ClickHouseFailureKind.Server, summary, parsed ? code : null, name, statusCode, text);
    }

    /// <summary>The exception for an error the server wrote into a response already under way.</summary>
    public static ClickHouseException FromStreamedError(string text)
    {
        if (TryParse(text, out var code, out var name, out var message))
        {
            return new ClickHouseException(
                ClickHouseFailureKind.Server,
                $"ClickHouse error {code}{(name is null ? "" : $" ({name})")} while sending the result: {message}",
                code, name, HttpStatusCode.OK, message);
        }

        return new ClickHouseException(
            ClickHouseFailureKind.Protocol, $"ClickHouse sent an unreadable result: {Truncate(text.Trim(), 2000)}");
    }

    /// <summary>Reads code, name (newer servers only) and message from an error text.</summary>
    public static bool TryParse(string text, out int code, out string? name, out string message)
    {
        var match = CodePattern().Match(text);
        if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out code))
        {
            code = 0;
            name = null;
            message = text.Trim();
            return false;
        }

        var rest = text[(match.Index + match.Length)..].Trim();
        var exceptionPrefix = rest.IndexOf("DB::Exception: ", StringComparison.Ordinal);
        if (exceptionPrefix >= 0)
        {
            rest = rest[(exceptionPrefix + "DB::Exception: ".Length)..];
        }
        else if (rest.StartsWith("e.displayText() = ", StringComparison.Ordinal))
        {
            rest = rest["e.displayText() = ".Length..];
        }

        // 18.16 appends ", e.what() = DB::Exception"; newer servers append " (NAME) (version x.y)".
        var what = rest.LastIndexOf(", e.what() = ", StringComparison.Ordinal);
        if (what >= 0)
        {
            rest = rest[..what];
        }

        name = null;
        var suffix = NameAndVersionPattern().Match(rest);
        if (suffix.Success)
        {
            name = suffix.Groups[1].Value;
            rest = rest[..suffix.Index];
        }
        else if (VersionPattern().Match(rest) is { Success: true } version)
        {
            // 19.x to 21.x: "Code: 60, e.displayText() = DB::Exception: ... (version 21.3.1.1)".
            rest = rest[..version.Index];
        }

        message = Truncate(rest.Trim().TrimEnd('.').Trim(), 8000);
        if (message.Length == 0)
        {
            message = text.Trim();
        }

        return true;
    }

    /// <summary>
    /// Whether a result line is the start of an error text written after the data began (the
    /// server cannot change the HTTP status any more, so it appends the exception to the body).
    /// </summary>
    public static bool StartsWithException(ReadOnlySpan<byte> line) =>
        StreamedExceptionPattern().IsMatch(System.Text.Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)]));

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    [GeneratedRegex(@"Code:\s*(\d+)[,.]?", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"\s*\(([A-Z][A-Z0-9_]*)\)\s*\(version .*\)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex NameAndVersionPattern();

    [GeneratedRegex(@"\s*\(version .*\)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^Code: \d+(, e\.displayText\(\) = |\. )\S*Exception", RegexOptions.CultureInvariant)]
    private static partial Regex StreamedExceptionPattern();
}
