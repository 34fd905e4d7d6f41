using Microsoft.Extensions.Options;

namespace Lambda.Shared.ClickHouse;

/// <summary>Checks <see cref="ClickHouseOptions"/>; every failure names the configuration key.</summary>
public sealed class ClickHouseOptionsValidator : IValidateOptions<ClickHouseOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ClickHouseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = ClickHouseOptions.SectionName + ":";

        if (options.Url is null || !options.Url.IsAbsoluteUri
            || (options.Url.Scheme != Uri.UriSchemeHttp && options.Url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{prefix}Url must be an absolute http or https URL (got '{options.Url}').");
        }
        else if (options.Url.Query.Length > 0 || options.Url.Fragment.Length > 0)
        {
            failures.Add($"{prefix}Url must not carry a query string or fragment (got '{options.Url}').");
        }

        if (string.IsNullOrWhiteSpace(options.User))
        {
            failures.Add($"{prefix}User must not be empty.");
        }
        else if (!IsHeaderSafe(options.User))
        {
            failures.Add($"{prefix}User must be printable ASCII: it travels in the X-ClickHouse-User header.");
        }

        if (options.Password is null || !IsHeaderSafe(options.Password))
        {
            failures.Add($"{prefix}Password must be printable ASCII (possibly empty): it travels in the X-ClickHouse-Key header.");
        }

        if (string.IsNullOrWhiteSpace(options.Database))
        {
            failures.Add($"{prefix}Database must not be empty.");
        }

        CheckPositive(options.RequestTimeout, "RequestTimeout", failures);
        CheckPositive(options.ConnectTimeout, "ConnectTimeout", failures);
        CheckPositive(options.PooledConnectionIdleTimeout, "PooledConnectionIdleTimeout", failures);
        CheckPositive(options.RetryBaseDelay, "RetryBaseDelay", failures);
        CheckPositive(options.RetryMaxDelay, "RetryMaxDelay", failures);
        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add($"{prefix}RetryMaxDelay ({options.RetryMaxDelay}) must not be below {prefix}RetryBaseDelay ({options.RetryBaseDelay}).");
        }

        if (options.MaxRetryAttempts is < 0 or > 100)
        {
            failures.Add($"{prefix}MaxRetryAttempts must be between 0 and 100 (got {options.MaxRetryAttempts}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPositive(TimeSpan value, string key, List<string> failures)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            failures.Add($"{ClickHouseOptions.SectionName}:{key} must be positive and at most one day (got {value}).");
        }
    }

    private static bool IsHeaderSafe(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
