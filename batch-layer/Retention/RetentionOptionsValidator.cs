using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Retention;

/// <summary>Checks <see cref="RetentionOptions"/>; every failure names its configuration key.</summary>
public sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    /// <summary>The error for a grace period outside 0..365 days, or null when it is valid.</summary>
    /// <param name="gracePeriod">The value.</param>
    /// <param name="name">How the value is named in the error (a configuration key or an option).</param>
    public static string? CheckGracePeriod(TimeSpan gracePeriod, string name) =>
        gracePeriod < TimeSpan.Zero || gracePeriod > RetentionOptions.MaxGracePeriod
            ? $"{name} must be between 0 and {RetentionOptions.MaxGracePeriod.TotalDays:0} days (got {gracePeriod})."
            : null;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CheckGracePeriod(options.GracePeriod, $"{RetentionOptions.SectionName}:{nameof(RetentionOptions.GracePeriod)}") is { } error
            ? ValidateOptionsResult.Fail(error)
            : ValidateOptionsResult.Success;
    }
}
