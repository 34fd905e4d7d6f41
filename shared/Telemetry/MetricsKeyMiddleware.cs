using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Telemetry;

/// <summary>Lets a scrape through only with <see cref="TelemetryOptions.MetricsApiKey"/> (when one is set).</summary>
internal sealed class MetricsKeyMiddleware(RequestDelegate next, IOptions<TelemetryOptions> options)
{
    private readonly byte[]? _key = options.Value.MetricsApiKey is { } key ? Encoding.UTF8.GetBytes(key) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (_key is null || Matches(Presented(context.Request)))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        await Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Metrics key required",
                detail: $"Send the key configured in {TelemetryOptions.SectionName}:MetricsApiKey in the X-Api-Key header or as Authorization: Bearer.")
            .ExecuteAsync(context).ConfigureAwait(false);
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers["X-Api-Key"] is [{ Length: > 0 } apiKey])
        {
            return apiKey;
        }

        const string bearer = "Bearer ";
        return request.Headers.Authorization is [{ } authorization] && authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            ? authorization[bearer.Length..].Trim()
            : null;
    }

    private bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);
}
