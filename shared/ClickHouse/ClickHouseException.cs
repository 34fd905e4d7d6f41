using System.Net;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// A failed ClickHouse call. <see cref="IsTransient"/> says whether trying again later may succeed
/// (network failures, timeouts, and server errors such as TOO_MANY_PARTS or NETWORK_ERROR);
/// errors in the request itself (syntax, unknown table, bad data, authentication) are not.
/// </summary>
/// <remarks>
/// A transient failure of an insert leaves its outcome unknown: the server may have stored the
/// rows before the connection broke. Only the caller can tell whether repeating it is safe.
/// </remarks>
public sealed class ClickHouseException : Exception
{
    /// <summary>Creates the exception; <paramref name="isTransient"/> defaults from the kind and code.</summary>
    public ClickHouseException(
        ClickHouseFailureKind kind,
        string message,
        int? errorCode = null,
        string? errorName = null,
        HttpStatusCode? statusCode = null,
        string? serverMessage = null,
        bool? isTransient = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        ErrorCode = errorCode;
        ErrorName = errorName;
        StatusCode = statusCode;
        ServerMessage = serverMessage;
        IsTransient = isTransient ?? ClickHouseErrorParser.IsTransient(kind, errorCode, statusCode);
    }

    /// <summary>Creates a protocol failure with a message.</summary>
    public ClickHouseException(string message)
        : this(ClickHouseFailureKind.Protocol, message)
    {
    }

    /// <summary>Creates a protocol failure with a message and cause.</summary>
    public ClickHouseException(string message, Exception innerException)
        : this(ClickHouseFailureKind.Protocol, message, innerException: innerException)
    {
    }

    /// <summary>Creates a protocol failure with no message.</summary>
    public ClickHouseException()
        : this(ClickHouseFailureKind.Protocol, "ClickHouse call failed.")
    {
    }

    /// <summary>What went wrong.</summary>
    public ClickHouseFailureKind Kind { get; }

    /// <summary>The server's error code (<c>Code: 62</c> is a syntax error, 60 an unknown table, ...), if it sent one.</summary>
    public int? ErrorCode { get; }

    /// <summary>The server's error name (e.g. <c>SYNTAX_ERROR</c>); only newer servers send it.</summary>
    public string? ErrorName { get; }

    /// <summary>The HTTP status of the answer, if there was one.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The server's error text without the code prefix and version suffix.</summary>
    public string? ServerMessage { get; }

    /// <summary>Whether trying again later may succeed.</summary>
    public bool IsTransient { get; }
}
