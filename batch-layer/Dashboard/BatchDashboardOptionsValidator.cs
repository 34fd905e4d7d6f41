using Lambda.Shared.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Dashboard;

/// <summary>Checks <see cref="BatchDashboardOptions"/>; in Production, refuses a start without keys or with a development key.</summary>
internal sealed class BatchDashboardOptionsValidator(IHostEnvironment environment) : IValidateOptions<BatchDashboardOptions>
{
    /// <summary>Shortest accepted key.</summary>
    public const int MinKeyLength = 8;

    public ValidateOptionsResult Validate(string? name, BatchDashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string path = BatchDashboardOptions.SectionName + ":" + nameof(BatchDashboardOptions.ApiKeys);
        var errors = new List<string>();
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key) || key.Length < MinKeyLength || key.Trim() != key)
            {
                errors.Add($"{path}:{i} must be at least {MinKeyLength} characters without surrounding white space.");
            }
        }

        if (options.CookieLifetime <= TimeSpan.Zero || options.CookieLifetime > TimeSpan.FromDays(7))
        {
            errors.Add($"{BatchDashboardOptions.SectionName}:{nameof(BatchDashboardOptions.CookieLifetime)} must be positive and at most 7 days (got {options.CookieLifetime}).");
        }

        if (environment.IsProduction())
        {
            errors.AddRange(DevelopmentApiKeys.ProductionProblems(options.ApiKeys.ToList()!, path, i => $"{path}:{i}"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
