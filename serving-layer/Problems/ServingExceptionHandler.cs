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
/// 503 naming it; anything else is a 500. A 5xx answer names no server, URL or exception text: it carries a
/// correlation id (<c>correlationId</c>, the request's trace identifier) under which the exception is logged.
/// </summary>
internal sealed partial class ServingExceptionHandler(IProblemDetailsService problemDetails, ILogger<ServingExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        var (status, title, detail) = Classify(exception, httpContext);
        var correlationId = httpContext.TraceIdentifier;
        if (status >= 500)
        {
            LogServerError(logger, exception, httpContext.Request.Method, httpContext.Request.Path, status, correlationId);
            detail += $"; the error was logged with correlation id {correlationId}";
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
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = detail,
                Extensions = { ["correlationId"] = correlationId },
            },
        }).ConfigureAwait(false);
        return true;
    }

    internal static (int Status, string Title, string Detail) Classify(Exception exception, HttpContext httpContext) => exception switch
    {
        BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
        JsonException json => (StatusCodes.Status400BadRequest, "Bad request", $"the request body is not valid JSON: {json.Message}"),
        OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested =>
            (499, "Client closed request", "the client went away before the answer was ready"),
        EventPublishException publish => Unavailable("Kafka", $"{publish.Acknowledged} of the accepted events were stored; retrying may repeat them"),
        KafkaException => Unavailable("Kafka", null),
        ClickHouseException => Unavailable("ClickHouse", null),
        NpgsqlException => Unavailable("PostgreSQL", null),
        BackgroundJobClientException => Unavailable("Hangfire storage (PostgreSQL)", null),
        TimeoutException => (StatusCodes.Status503ServiceUnavailable, "Service unavailable", "a dependency did not answer in time"),
        _ => (StatusCodes.Status500InternalServerError, "Internal server error", "the server failed to answer"),
    };

    // The exception's own text can name hosts, ports and URLs: it goes to the log only.
    private static (int, string, string) Unavailable(string dependency, string? consequence) =>
        (StatusCodes.Status503ServiceUnavailable, "Service unavailable", consequence is null ? $"{dependency} is not available" : $"{dependency} is not available ({consequence})");

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed with {Status} (correlation id {CorrelationId})")]
    private static partial void LogServerError(ILogger logger, Exception exception, string method, string path, int status, string correlationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} refused with {Status}: {Reason}")]
    private static partial void LogClientError(ILogger logger, string method, string path, int status, string reason);
}
