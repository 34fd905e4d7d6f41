using System.Text.Json;
using Lambda.ServingLayer.Querying;

namespace Lambda.ServingLayer.Json;

/// <summary>A 200 answer carrying a <see cref="ViewQueryResult"/> written by <see cref="ViewQueryResultWriter"/>.</summary>
public sealed class ViewQueryHttpResult(ViewQueryResult result) : IResult
{
    /// <summary>The result.</summary>
    public ViewQueryResult Result { get; } = result;

    /// <inheritdoc/>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(httpContext.Response.Body, ViewQueryResultWriter.WriterOptions);
        await ViewQueryResultWriter.WriteAsync(writer, Result, httpContext.RequestAborted).ConfigureAwait(false);
    }
}
