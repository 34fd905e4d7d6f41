using Microsoft.Extensions.Options;

namespace Lambda.Shared.Storage;

/// <summary>Checks <see cref="StorageOptions"/> at start, naming the key at fault.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Kind))
        {
            failures.Add($"Storage:Kind must be 'local' or 's3', not '{options.Kind}'.");
        }

        if (options.Kind == StorageKind.S3)
        {
            if (string.IsNullOrWhiteSpace(options.Bucket))
            {
                failures.Add("Storage:Bucket is required when Storage:Kind is 's3'.");
            }

            if (options.ServiceUrl is { } url
                && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
            {
                failures.Add($"Storage:ServiceUrl must be an absolute http(s) URL, not '{url}'.");
            }

            if (options.UncommittedObjectGrace <= TimeSpan.Zero)
            {
                failures.Add($"Storage:UncommittedObjectGrace must be positive, not '{options.UncommittedObjectGrace}'.");
            }

            if (string.IsNullOrWhiteSpace(options.Region))
            {
                failures.Add("Storage:Region must not be empty.");
            }

            if (options.Prefix.Length > 0 && (!options.Prefix.EndsWith('/') || options.Prefix.StartsWith('/')))
            {
                failures.Add($"Storage:Prefix must end with '/' and not start with one, not '{options.Prefix}'.");
            }

            if (string.IsNullOrEmpty(options.AccessKey) != string.IsNullOrEmpty(options.SecretKey))
            {
                failures.Add("Storage:AccessKey and Storage:SecretKey go together: set both or neither.");
            }

            if (string.IsNullOrEmpty(options.AccessKey) && options.CredentialsFile is { } file && !File.Exists(file))
            {
                failures.Add($"Storage:CredentialsFile '{file}' does not exist.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
