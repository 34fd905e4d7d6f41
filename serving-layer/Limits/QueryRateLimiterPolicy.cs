using System.Globalization;
using System.Threading.RateLimiting;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Telemetry;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Limits;

/// <summary>
/// Per API key: its merge-work budget (<see cref="QueryWorkBudget"/>), a token bucket
/// (<see cref="QueryLimitsOptions.RequestsPerSecond"/>, <see cref="QueryLimitsOptions.Burst"/>) and a concurrency limit
/// (<see cref="QueryLimitsOptions.MaxConcurrentQueries"/>, up to <see cref="QueryLimitsOptions.QueuedQueries"/> waiting
/// in order). A refused
/// request is a 429 problem with <c>Retry-After</c> naming the limit and its setting, held a while when the key did not
/// wait as an earlier refusal told it (<see cref="RefusalHold"/>). Keys are told apart by the
/// authenticated identity's label, so the policy must run after authentication.
/// </summary>
internal sealed class QueryRateLimiterPolicy(
    IOptions<QueryLimitsOptions> options, QueryWorkBudget work, ServingLayerMetrics metrics, TimeProvider? time = null) : IRateLimiterPolicy<string>
{
    /// <summary>The policy name the query endpoints require.</summary>
    public const string Name = "per-key-queries";

    private readonly QueryLimitsOptions _limits = options.Value;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly RefusalHold _hold = new(options.Value.RefusalHold, time ?? TimeProvider.System);

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var key = QueryWorkBudget.KeyOf(httpContext.User);
        // The work budget first, so a key in debt is refused without spending its rate tokens, and again once the
        // concurrency limit lets the query run, so queries queued while the key had credit do not all run on it.
        return RateLimitPartition.Get(key, k => Chain(work.Of(k)));
    }

    private RateLimiter Chain(QueryWorkLimiter budget) =>
        RateLimiter.CreateChained(
            budget,
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
            }),
            budget);

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        // The token bucket and the work budget say when a permit returns; a concurrency refusal frees up as soon as a query ends.
        var timed = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter);
        var seconds = timed ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        var (limit, setting, detail) = !timed
            ? ("concurrency", QueryLimitsOptions.Key(nameof(QueryLimitsOptions.MaxConcurrentQueries)),
                $"this API key has {_limits.MaxConcurrentQueries} view queries running and {_limits.QueuedQueries} waiting; send the next when one has answered")
            : context.Lease.TryGetMetadata(MetadataName.ReasonPhrase, out var reason) && reason == QueryWorkLimiter.Reason
            ? (QueryWorkLimiter.Reason, QueryLimitsOptions.Key(nameof(QueryLimitsOptions.GroupsPerSecond)),
                $"this API key's queries merged more than {_limits.GroupsPerSecond} groups per second (bursts up to {_limits.GroupsBurst}); retry after {seconds} s, "
                + "or ask for shorter ranges, coarser granularities or fewer groups")
            : ("rate", QueryLimitsOptions.Key(nameof(QueryLimitsOptions.RequestsPerSecond)),
                $"this API key sent more than {_limits.RequestsPerSecond} view queries per second (bursts up to {_limits.Burst}); retry after {seconds} s");
        metrics.QueryRefused(limit);
        var http = context.HttpContext;
        var hold = _hold.Refuse(QueryWorkBudget.KeyOf(http.User), TimeSpan.FromSeconds(seconds));
        if (hold > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(hold, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The client went away while held (the token is the request's): there is no one to answer.
                return;
            }
        }

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
