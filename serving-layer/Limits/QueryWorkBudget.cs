using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Limits;

/// <summary>
/// The merge-work budgets of the API keys (<see cref="QueryWorkLimiter"/>): the rate limiter policy admits a key's
/// query through its budget, the query endpoint charges the groups the query's computation merged.
/// </summary>
internal sealed class QueryWorkBudget(IOptions<QueryLimitsOptions> options, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, QueryWorkLimiter> _keys = new(StringComparer.Ordinal);
    private readonly QueryLimitsOptions _limits = options.Value;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The key a request's limits are kept under: the authenticated identity's label.</summary>
    public static string KeyOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirstValue(ClaimTypes.Name) ?? string.Empty;
    }

    /// <summary>The budget of <paramref name="key"/>.</summary>
    public QueryWorkLimiter Of(string key) =>
        _keys.GetOrAdd(key, _ => new QueryWorkLimiter(_limits.GroupsPerSecond, _limits.GroupsBurst, _time));

    /// <summary>Charges <paramref name="groups"/> merged for a query of <paramref name="user"/>.</summary>
    public void Charge(ClaimsPrincipal user, long groups)
    {
        if (groups > 0)
        {
            Of(KeyOf(user)).Charge(groups);
        }
    }
}
