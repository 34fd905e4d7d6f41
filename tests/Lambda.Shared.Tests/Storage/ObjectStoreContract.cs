using System.Text;
using Lambda.Shared.Storage;

namespace Lambda.Shared.Tests.Storage;

/// <summary>
/// What every <see cref="IObjectStore"/> must do, run against each kind (<see cref="LocalObjectStoreTests"/>,
/// <see cref="S3ObjectStoreTests"/>): the platform's commit protocols rely on exactly these properties.
/// </summary>
public abstract class ObjectStoreContract
{
    /// <summary>The store under test, empty at the start of each test.</summary>
    protected abstract IObjectStore Store { get; }

    private static CancellationToken Token => CancellationToken.None;

    [Fact]
    public async Task A_put_reads_back_and_a_second_put_replaces_it_whole()
    {
        await Store.PutAsync("a/b/one.json", "first"u8.ToArray(), Token);
        Assert.Equal("first", Encoding.UTF8.GetString((await Store.ReadAsync("a/b/one.json", Token))!));
        await Store.PutAsync("a/b/one.json", "second, longer"u8.ToArray(), Token);
        Assert.Equal("second, longer", Encoding.UTF8.GetString((await Store.ReadAsync("a/b/one.json", Token))!));
        await Store.PutAsync("a/b/empty", ReadOnlyMemory<byte>.Empty, Token);
        Assert.Empty((await Store.ReadAsync("a/b/empty", Token))!);
    }

    [Fact]
    public async Task A_missing_object_reads_as_null_and_downloads_nothing()
    {
        var path = Path.Combine(Path.GetTempPath(), "missing-" + Guid.NewGuid().ToString("N"));
        Assert.Null(await Store.ReadAsync("nowhere/x", Token));
        Assert.False(await Store.DownloadAsync("nowhere/x", path, Token));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_file_uploads_and_downloads_byte_for_byte()
    {
        var bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(bytes);
        var source = Path.GetTempFileName();
        var target = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(source, bytes, Token);
            await Store.PutFileAsync("big/data.parquet", source, Token);
            Assert.True(await Store.DownloadAsync("big/data.parquet", target, Token));
            Assert.Equal(bytes, await File.ReadAllBytesAsync(target, Token));
            Assert.Equal(bytes, await Store.ReadAsync("big/data.parquet", Token));
        }
        finally
        {
            File.Delete(source);
            File.Delete(target);
        }
    }

    [Fact]
    public async Task Listing_returns_the_keys_under_a_prefix_in_ordinal_order_with_their_sizes()
    {
        foreach (var key in new[] { "v/b/2", "v/a/1", "v/a/10", "v/ab", "w/other", "v/B" })
        {
            await Store.PutAsync(key, Encoding.UTF8.GetBytes(key + "!"), Token);
        }

        Assert.Equal([("v/a/1", 6L), ("v/a/10", 7L)], (await ListAsync("v/a/")).Select(o => (o.Key, o.Size)));
        Assert.Equal(["v/a/1", "v/a/10", "v/ab"], (await ListAsync("v/a")).Select(o => o.Key));
        Assert.Equal(["v/B", "v/a/1", "v/a/10", "v/ab", "v/b/2", "w/other"], (await ListAsync("")).Select(o => o.Key));
        Assert.Empty(await ListAsync("nothing/"));
    }

    [Fact]
    public async Task A_delete_removes_the_object_and_deleting_a_missing_one_is_no_error()
    {
        await Store.PutAsync("d/x", "x"u8.ToArray(), Token);
        await Store.DeleteAsync("d/x", Token);
        await Store.DeleteAsync("d/x", Token);
        await Store.DeleteAsync("never/was/here", Token);
        Assert.Null(await Store.ReadAsync("d/x", Token));
        Assert.Empty(await ListAsync("d/"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("a\\b")]
    [InlineData("trailing/")]
    public async Task A_key_that_could_leave_the_root_is_refused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, "x"u8.ToArray(), Token));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadAsync(key, Token));
    }

    private async Task<List<StoredObject>> ListAsync(string prefix)
    {
        var found = new List<StoredObject>();
        await foreach (var item in Store.ListAsync(prefix, Token))
        {
            found.Add(item);
        }

        return found;
    }
}
