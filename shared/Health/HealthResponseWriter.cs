using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Lambda.Shared.Health;

/// <summary>
/// Writes a health report as JSON: overall status and, per check, status, description and duration. A check that threw
/// is described by a correlation id only (its exception text can name hosts and URLs); the exception is logged under it.
/// Shared by the services' health endpoints (<c>/healthz</c> and <c>/readyz</c> of the serving, speed and batch layers).
/// </summary>
public static partial class HealthResponseWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The writer for <c>HealthCheckOptions.ResponseWriter</c>.</summary>
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        ILogger? logger = null;
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("status", Name(report.Status));
        writer.WriteNumber("duration_ms", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
        writer.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            writer.WriteStartObject(name);
            writer.WriteString("status", Name(entry.Status));
            if (entry.Exception is { } exception)
            {
                logger ??= context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HealthResponseWriter).FullName!);
                LogCheckFailed(logger, exception, name, context.TraceIdentifier);
                writer.WriteString("description", $"the check failed; the error was logged with correlation id {context.TraceIdentifier}");
            }
            else
            {
                writer.WriteString("description", entry.Description);
            }

            writer.WriteNumber("duration_ms", Math.Round(entry.Duration.TotalMilliseconds, 1));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check {Check} failed (correlation id {CorrelationId})")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string check, string correlationId);

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
