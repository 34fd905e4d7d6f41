using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Telemetry;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Limits;

/// <summary>
/// Per API key: a token bucket (<see cref="QueryLimitsOptions.RequestsPerSecond"/>, <see cref="QueryLimitsOptions.Burst"/>)
/// chained with a concurrency limit (<see cref="QueryLimitsOptions.MaxConcurrentQueries"/>, up to
/// <see cref="QueryLimitsOptions.QueuedQueries"/> waiting in order). A refused
/// request is a 429 problem with <c>Retry-After</c> naming the limit and its setting. Keys are told apart by the
/// authenticated identity's label, so the policy must run after authentication.
/// </summary>
internal sealed class QueryRateLimiterPolicy(IOptions<QueryLimitsOptions> options, ServingLayerMetrics metrics) : IRateLimiterPolicy<string>
{
    /// <summary>The policy name the query endpoints require.</summary>
    public const string Name = "per-key-queries";

    private readonly QueryLimitsOptions _limits = options.Value;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var key = httpContext.User.FindFirstValue(ClaimTypes.Name) ?? string.Empty;
        return RateLimitPartition.Get(key, _ => RateLimiter.CreateChained(
            new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = _limits.Burst,
                TokensPerPeriod = Math.Max(1, _limits.RequestsPerSecond / 10),
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(_limits.RequestsPerSecond >= 10 ? 100 : 1000 / _limits.RequestsPerSecond),
                QueueLimit = 0,
                AutoReplenishment = true,
            }),
            new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = _limits.MaxConcurrentQueries,
                QueueLimit = _limits.QueuedQueries,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            })));
    }

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        // Only the token bucket says when a permit returns; a concurrency refusal frees up as soon as a query ends.
        var rate = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter);
        var seconds = rate ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        var (limit, setting, detail) = rate
            ? ("rate", QueryLimitsOptions.Key(nameof(QueryLimitsOptions.RequestsPerSecond)),
                $"this API key sent more than {_limits.RequestsPerSecond} view queries per second (bursts up to {_limits.Burst}); retry after {seconds} s")
            : ("concurrency", QueryLimitsOptions.Key(nameof(QueryLimitsOptions.MaxConcurrentQueries)),
                $"this API key has {_limits.MaxConcurrentQueries} view queries running and {_limits.QueuedQueries} waiting; send the next when one has answered");
        metrics.QueryRefused(limit);
        var http = context.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = ProblemResults.Limit(StatusCodes.Status429TooManyRequests, "Too many requests", detail, limit, setting),
        }).ConfigureAwait(false);
    }
}
