using System.Text.Json;
using Confluent.Kafka;
using Hangfire;
using Lambda.ServingLayer.Ingest;
using Lambda.Shared.ClickHouse;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Lambda.ServingLayer.Problems;

/// <summary>
/// Turns exceptions into problem details: bad requests that ASP.NET Core itself detects (body too large,
/// unreadable body, ...) keep their 4xx status; an unreachable dependency (Kafka, ClickHouse, PostgreSQL) is a
/// 503 naming it; anything else is a 500 that is logged with its stack and described without internals.
/// </summary>
internal sealed partial class ServingExceptionHandler(IProblemDetailsService problemDetails, ILogger<ServingExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        var (status, title, detail) = Classify(exception, httpContext);
        if (status >= 500)
        {
            LogServerError(logger, exception, httpContext.Request.Method, httpContext.Request.Path, status);
        }
        else
        {
            LogClientError(logger, httpContext.Request.Method, httpContext.Request.Path, status, exception.Message);
        }

        httpContext.Response.StatusCode = status;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
        return true;
    }

    internal static (int Status, string Title, string Detail) Classify(Exception exception, HttpContext httpContext) => exception switch
    {
        BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
        JsonException json => (StatusCodes.Status400BadRequest, "Bad request", $"the request body is not valid JSON: {json.Message}"),
        OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested =>
            (499, "Client closed request", "the client went away before the answer was ready"),
        EventPublishException publish => Unavailable("Kafka", publish.Message + $" ({publish.Acknowledged} were stored; retrying may repeat them)"),
        KafkaException kafka => Unavailable("Kafka", kafka.Error.Reason),
        ClickHouseException clickHouse => Unavailable("ClickHouse", clickHouse.Message),
        NpgsqlException postgres => Unavailable("PostgreSQL", postgres.Message),
        BackgroundJobClientException hangfire => Unavailable("Hangfire storage (PostgreSQL)", hangfire.InnerException?.Message ?? hangfire.Message),
        TimeoutException timeout => (StatusCodes.Status503ServiceUnavailable, "Service unavailable", timeout.Message),
        _ => (StatusCodes.Status500InternalServerError, "Internal server error", "the server failed to answer; the error has been logged"),
    };

    private static (int, string, string) Unavailable(string dependency, string message) =>
        (StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"{dependency} is not available: {message}");

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed with {Status}")]
    private static partial void LogServerError(ILogger logger, Exception exception, string method, string path, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} refused with {Status}: {Reason}")]
    private static partial void LogClientError(ILogger logger, string method, string path, int status, string reason);
}
