using Amazon.S3;
using Lambda.Shared.Storage;

namespace Lambda.Testing;

/// <summary>
/// A fresh key prefix in the stack's S3-protocol server for one test (class): <see cref="Options"/> point at it,
/// <see cref="Store"/> reads and writes under it, and disposing deletes every object under it.
/// </summary>
public sealed class S3TestStore : IAsyncDisposable
{
    private readonly AmazonS3Client _client;

    private S3TestStore(StorageOptions options)
    {
        Options = options;
        _client = S3ClientFactory.Create(options);
        Store = new S3ObjectStore(_client, options.Bucket!, options.Prefix);
    }

    /// <summary>The s3-kind options of this prefix (what a service would be configured with).</summary>
    public StorageOptions Options { get; }

    /// <summary>The store under this prefix.</summary>
    public S3ObjectStore Store { get; }

    /// <summary>A new prefix <c>tests/&lt;guid&gt;/</c> in the stack's bucket.</summary>
    public static S3TestStore Create()
    {
        var s3 = StackEndpoints.Load().S3
            ?? throw new InvalidOperationException("LAMBDA_S3_URL is not set: start the local stack (with its S3-protocol server) with 'scripts/lambda up'.");
        return new S3TestStore(new StorageOptions
        {
            Kind = StorageKind.S3,
            ServiceUrl = s3.Url.ToString(),
            Bucket = s3.Bucket,
            Prefix = $"tests/{Guid.NewGuid():N}/",
            AccessKey = s3.AccessKey,
            SecretKey = s3.SecretKey,
        });
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        var keys = new List<string>();
        await foreach (var item in Store.ListAsync("", CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        foreach (var key in keys)
        {
            await Store.DeleteAsync(key, CancellationToken.None);
        }

        _client.Dispose();
    }
}
