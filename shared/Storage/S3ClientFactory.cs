using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Lambda.Shared.Storage;

/// <summary>Builds the S3 client of <see cref="StorageOptions"/> (endpoint, path style, credentials).</summary>
public static class S3ClientFactory
{
    /// <summary>A client for <paramref name="options"/>; the caller owns (disposes) it.</summary>
    public static AmazonS3Client Create(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // SDK v4 adds CRC checksums and aws-chunked trailers to every put by default; S3-compatible servers (the
            // local s3rver among them) do not all understand them, and S3 itself does not need them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return Credentials(options) is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    /// <summary>The key pair of the options or of their credentials file; null leaves the choice to the SDK's chain.</summary>
    public static AWSCredentials? Credentials(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrEmpty(options.AccessKey) && !string.IsNullOrEmpty(options.SecretKey))
        {
            return new BasicAWSCredentials(options.AccessKey, options.SecretKey);
        }

        if (options.CredentialsFile is { } file)
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var parts in File.ReadAllLines(file).Select(line => line.Split('=', 2)).Where(parts => parts.Length == 2))
            {
                values[parts[0].Trim()] = parts[1].Trim();
            }

            return values.TryGetValue("aws_access_key_id", out var id) && values.TryGetValue("aws_secret_access_key", out var secret)
                ? new BasicAWSCredentials(id, secret)
                : throw new InvalidDataException($"Storage:CredentialsFile '{file}' has no aws_access_key_id and aws_secret_access_key lines");
        }

        return null;
    }
}
