using System.Runtime.CompilerServices;

namespace Lambda.Shared.Storage;

/// <summary>
/// <see cref="IObjectStore"/> over a local directory: key <c>a/b/c</c> is the file <c>&lt;root&gt;/a/b/c</c>, so the
/// files the platform always wrote there read as objects. A put writes a temporary file beside the target
/// (<c>.put-*.tmp</c>, never listed), flushes it to disk and renames it over the target, so a reader sees the old or the
/// new bytes whole, and a put that returned survives a crash of the machine (as the commit log's and manifest's files do):
/// without the flush, the rename can reach the disk before the bytes and leave an empty object under a published key.
/// </summary>
public sealed class LocalObjectStore(string root) : IObjectStore
{
    private const string TemporaryPrefix = ".put-";

    private readonly string _root = Path.GetFullPath(root);

    /// <inheritdoc/>
    public string Location => _root;

    /// <summary>The local file of <paramref name="key"/>.</summary>
    public string PathOf(string key) => Path.Combine(_root, ObjectKeys.Validate(key).Replace('/', Path.DirectorySeparatorChar));

    /// <inheritdoc/>
    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var target = PathOf(key);
        var temporary = TemporaryBeside(target);
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <inheritdoc/>
    public Task PutFileAsync(string key, string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = PathOf(key);
        var temporary = TemporaryBeside(target);
        try
        {
            File.Copy(path, temporary, overwrite: false);
            using (var copy = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                copy.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(key), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public Task<bool> DownloadAsync(string key, string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var source = PathOf(key);
        if (!File.Exists(source))
        {
            return Task.FromResult(false);
        }

        File.Copy(source, path, overwrite: true);
        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKeys.ValidatePrefix(prefix);
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var found = new List<StoredObject>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Path.GetFileName(file).StartsWith(TemporaryPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                long size;
                DateTime written;
                try
                {
                    var info = new FileInfo(file);
                    size = info.Length;
                    written = info.LastWriteTimeUtc;
                }
                catch (FileNotFoundException)
                {
                    // Deleted between the listing and now: it is no longer an object.
                    continue;
                }

                found.Add(new StoredObject(key, size, new DateTimeOffset(written, TimeSpan.Zero)));
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var item in found)
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        if (Directory.Exists(Path.GetDirectoryName(path)))
        {
            File.Delete(path);
        }

        return Task.CompletedTask;
    }

    private static string TemporaryBeside(string target)
    {
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, TemporaryPrefix + Guid.NewGuid().ToString("N") + ".tmp");
    }
}
