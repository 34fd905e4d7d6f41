namespace Lambda.BatchLayer.Dashboard;

/// <summary>
/// Who may open the Hangfire dashboard of the batch-layer service. Bound from <c>Batch:Dashboard</c>; validated on start
/// by <see cref="BatchDashboardOptionsValidator"/> (a Production start needs keys of its own).
/// </summary>
public sealed class BatchDashboardOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Batch:Dashboard";

    /// <summary>
    /// The admin keys that open the dashboard, sent as <c>X-Api-Key</c> or entered once at the key prompt
    /// (<c>&lt;DashboardPath&gt;-login</c>), which sets a cookie. Default: none (Development's appsettings sets
    /// <c>dev-admin-key</c>, the serving layer's development admin key).
    /// </summary>
    public IList<string> ApiKeys { get; init; } = [];

    /// <summary>How long the cookie set at the key prompt stays valid. Default 8 hours.</summary>
    public TimeSpan CookieLifetime { get; init; } = TimeSpan.FromHours(8);
}
