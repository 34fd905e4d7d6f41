namespace Lambda.Shared.Storage;

/// <summary>
/// The seam between the platform's files and where they live (a local directory, an S3 bucket). Keys are
/// <c>/</c>-separated relative paths (<see cref="ObjectKeys"/>). What every implementation guarantees, and nothing
/// more (so that S3 and the local s3rver can): once a put returned, the object reads back whole; a read never returns
/// part of an object (it fails instead). There is no rename and no conditional write, and replacing an existing key is
/// not atomic on every server (s3rver writes in place), so callers commit by writing data to fresh keys first and
/// recording them somewhere that has a commit point (PostgreSQL), and never overwrite a key a reader may read.
/// </summary>
public interface IObjectStore
{
    /// <summary>Where the store is, for logs and messages (a directory, or <c>s3://bucket/prefix</c>).</summary>
    string Location { get; }

    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/>, replacing any object there.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Stores the local file <paramref name="path"/> under <paramref name="key"/> (large files, without loading them).</summary>
    Task PutFileAsync(string key, string path, CancellationToken cancellationToken);

    /// <summary>The object's bytes, or null when there is none.</summary>
    Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Copies the object into the local file <paramref name="path"/> (replaced whole); false when there is no object.</summary>
    Task<bool> DownloadAsync(string key, string path, CancellationToken cancellationToken);

    /// <summary>Every object whose key starts with <paramref name="prefix"/> (may be empty), in ordinal key order.</summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the object; deleting one that does not exist is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
