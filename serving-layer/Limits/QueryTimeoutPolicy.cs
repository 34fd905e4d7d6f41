using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Telemetry;
using Microsoft.AspNetCore.Http.Timeouts;

namespace Lambda.ServingLayer.Limits;

/// <summary>
/// The request timeout of view queries (ASP.NET Core request timeouts): after <see cref="QueryLimitsOptions.Timeout"/>
/// the request's cancellation token fires, which stops its wait and, when no other caller shares the computation, the
/// computation and its ClickHouse read; the answer is a 504 problem naming the setting.
/// </summary>
public static class QueryTimeoutPolicy
{
    /// <summary>The policy name the query endpoint uses.</summary>
    public const string Name = "view-query";

    /// <summary>The policy for <paramref name="limits"/>.</summary>
    public static RequestTimeoutPolicy For(QueryLimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var setting = QueryLimitsOptions.Key(nameof(QueryLimitsOptions.Timeout));
        return new RequestTimeoutPolicy
        {
            Timeout = limits.Timeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = async context =>
            {
                context.RequestServices.GetRequiredService<ServingLayerMetrics>().QueryRefused("timeout");

                // The middleware still has the timed-out token in RequestAborted, and the problem writer flushes with it,
                // which would throw before the answer is out; the middleware restores the client's own token afterwards.
                context.RequestAborted = CancellationToken.None;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = ProblemResults.Limit(
                        StatusCodes.Status504GatewayTimeout,
                        "Query timed out",
                        $"the query took longer than {limits.Timeout.TotalSeconds:0.###} s (setting {setting}) and was cancelled; "
                            + "ask for a shorter range, a coarser granularity or fewer groups",
                        "timeout",
                        setting),
                }).ConfigureAwait(false);
            },
        };
    }
}
