using Lambda.Shared.Storage;

namespace Lambda.Shared.Tests.Schema;

/// <summary>
/// A store whose first <paramref name="halfWrittenReads"/> reads of any object give an empty body, as the S3 emulator
/// gives a reader while another client writes the object in place.
/// </summary>
internal sealed class HalfWrittenRecordStore(IObjectStore inner, int halfWrittenReads) : IObjectStore
{
    private int _reads;

    public string Location => inner.Location;

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.PutAsync(key, content, cancellationToken);

    public Task PutFileAsync(string key, string path, CancellationToken cancellationToken) => inner.PutFileAsync(key, path, cancellationToken);

    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var whole = await inner.ReadAsync(key, cancellationToken);
        return whole is not null && Interlocked.Increment(ref _reads) <= halfWrittenReads ? [] : whole;
    }

    public Task<bool> DownloadAsync(string key, string path, CancellationToken cancellationToken) => inner.DownloadAsync(key, path, cancellationToken);

    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
}
