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
        if (Result.Rendered is { } rendered)
        {
            var body = await rendered.GetAsync(Result, httpContext.RequestAborted).ConfigureAwait(false);
            httpContext.Response.ContentLength = body.Length;
            await httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
            return;
        }

        await using var writer = new Utf8JsonWriter(httpContext.Response.Body, ViewQueryResultWriter.WriterOptions);
        await ViewQueryResultWriter.WriteAsync(writer, Result, httpContext.RequestAborted).ConfigureAwait(false);
    }
}
