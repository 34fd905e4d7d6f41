using Hangfire.Dashboard;

namespace Lambda.BatchLayer.Dashboard;

/// <summary>Hangfire's check of every dashboard request (pages and their AJAX calls): the admin key or the prompt's cookie.</summary>
public sealed class AdminKeyDashboardAuthorizationFilter(DashboardKeyAuthorizer authorizer) : IDashboardAuthorizationFilter
{
    /// <inheritdoc/>
    public bool Authorize(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return authorizer.IsAuthorized(context.GetHttpContext());
    }
}
