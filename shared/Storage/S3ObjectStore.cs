using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace Lambda.Shared.Storage;

/// <summary>
/// <see cref="IObjectStore"/> over one bucket of an S3-compatible store: key <c>k</c> is the object
/// <c>&lt;prefix&gt;k</c>. S3 makes a put visible whole (there are no partial objects), which is all this relies on.
/// </summary>
public sealed class S3ObjectStore(IAmazonS3 client, string bucket, string prefix) : IObjectStore
{
    private readonly string _prefix = ObjectKeys.ValidatePrefix(prefix);

    /// <inheritdoc/>
    public string Location => $"s3://{bucket}/{_prefix}";

    // Every put is signed over its whole payload (UseChunkEncoding = false): S3-compatible servers do not all decode
    // aws-chunked bodies (s3rver 3.7.1 stores the chunk framing as the object's content).

    /// <inheritdoc/>
    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        await client.PutObjectAsync(
            new PutObjectRequest { BucketName = bucket, Key = FullKey(key), InputStream = stream, AutoCloseStream = false, UseChunkEncoding = false },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task PutFileAsync(string key, string path, CancellationToken cancellationToken)
    {
        await client.PutObjectAsync(
            new PutObjectRequest { BucketName = bucket, Key = FullKey(key), FilePath = path, UseChunkEncoding = false },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return null;
        }

        using var buffer = new MemoryStream(response.ContentLength > 0 ? (int)Math.Min(response.ContentLength, int.MaxValue) : 0);
        await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <inheritdoc/>
    public async Task<bool> DownloadAsync(string key, string path, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return false;
        }

        // Into a temporary file first, so a failed transfer never leaves a truncated copy under the final name.
        var temporary = path + ".download-" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await response.ResponseStream.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
            return true;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKeys.ValidatePrefix(prefix);
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = _prefix + prefix };
        while (true)
        {
            var response = await client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            // SDK v4 leaves empty collections null.
            foreach (var item in response.S3Objects ?? [])
            {
                yield return new StoredObject(item.Key[_prefix.Length..], item.Size ?? 0, Utc(item.LastModified));
            }

            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = FullKey(key) }, cancellationToken).ConfigureAwait(false);
    }

    private string FullKey(string key) => _prefix + ObjectKeys.Validate(key);

    private async Task<GetObjectResponse?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = FullKey(key) }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    // A server that omits the time makes the object look brand new: age-based cleanups then keep it rather than guess.
    private static DateTimeOffset Utc(DateTime? written) => written switch
    {
        null => DateTimeOffset.MaxValue,
        { Kind: DateTimeKind.Local } local => new DateTimeOffset(local.ToUniversalTime(), TimeSpan.Zero),
        { } utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeSpan.Zero),
    };
}
