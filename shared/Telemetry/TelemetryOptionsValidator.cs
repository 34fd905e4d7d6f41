using Microsoft.Extensions.Options;

namespace Lambda.Shared.Telemetry;

/// <summary>Checks <see cref="TelemetryOptions"/>; every failure names the configuration key.</summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = TelemetryOptions.SectionName + ":";

        if (string.IsNullOrWhiteSpace(options.MetricsPath) || !options.MetricsPath.StartsWith('/') || options.MetricsPath.Contains('?', StringComparison.Ordinal))
        {
            failures.Add($"{prefix}MetricsPath must be a path starting with '/' (got '{options.MetricsPath}').");
        }

        if (options.MetricsPort is { } port && port is < 1 or > 65535)
        {
            failures.Add($"{prefix}MetricsPort must be between 1 and 65535 (got {port}).");
        }

        if (options.MetricsPort is not null && string.IsNullOrWhiteSpace(options.MetricsHost))
        {
            failures.Add($"{prefix}MetricsHost must name an interface when {prefix}MetricsPort is set.");
        }

        if (options.MetricsApiKey is { } key && (key.Length < 16 || key.Any(c => c is < '!' or > '~')))
        {
            failures.Add($"{prefix}MetricsApiKey must be at least 16 printable ASCII characters without spaces when set.");
        }

        if (options.OtlpEndpoint is { } otlp && (!otlp.IsAbsoluteUri || (otlp.Scheme != Uri.UriSchemeHttp && otlp.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"{prefix}OtlpEndpoint must be an absolute http or https URL (got '{otlp}').");
        }

        if (options.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            failures.Add($"{prefix}OtlpProtocol must be 'grpc' or 'http/protobuf' (got '{options.OtlpProtocol}').");
        }

        if (options.ScrapeCacheDuration < TimeSpan.Zero || options.ScrapeCacheDuration > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{prefix}ScrapeCacheDuration must be between 0 and 1 minute (got {options.ScrapeCacheDuration}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
