using Lambda.Shared.Storage;

namespace Lambda.Shared.Tests.Storage;

/// <summary>The object-store contract on a local directory, and that the files already there read as objects.</summary>
public sealed class LocalObjectStoreTests : ObjectStoreContract, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("objects-").FullName;
    private readonly LocalObjectStore _store;

    public LocalObjectStoreTests() => _store = new LocalObjectStore(_root);

    protected override IObjectStore Store => _store;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Files_written_by_hand_are_objects_at_their_relative_paths_and_puts_leave_no_temporary_files()
    {
        Directory.CreateDirectory(Path.Combine(_root, "lookups", "fx"));
        await File.WriteAllTextAsync(Path.Combine(_root, "lookups", "fx", "CURRENT"), "3");
        await _store.PutAsync("lookups/fx/v000004.json", "{}"u8.ToArray(), CancellationToken.None);
        var listed = new List<string>();
        await foreach (var item in _store.ListAsync("lookups/", CancellationToken.None))
        {
            listed.Add(item.Key);
        }

        Assert.Equal(["lookups/fx/CURRENT", "lookups/fx/v000004.json"], listed);
        Assert.Equal(Path.Combine(_root, "lookups", "fx", "v000004.json"), _store.PathOf("lookups/fx/v000004.json"));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_root, "lookups", "fx")).Length);
    }

    // S3 replaces an object atomically too, but the local s3rver writes over the object in place (README: "Object
    // storage"), so this stays a local-kind test and the platform never overwrites a key that readers may read.
    [Fact]
    public async Task A_reader_during_overwrites_sees_one_whole_version_or_the_other_as_on_S3()
    {
        var a = Enumerable.Repeat((byte)'a', 512 * 1024).ToArray();
        var b = Enumerable.Repeat((byte)'b', 700 * 1024).ToArray();
        await _store.PutAsync("race/object", a, CancellationToken.None);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await _store.PutAsync("race/object", i % 2 == 0 ? b : a, CancellationToken.None);
            }
        }, CancellationToken.None);
        var reads = 0;
        while (!writer.IsCompleted || reads < 5)
        {
            var seen = await _store.ReadAsync("race/object", CancellationToken.None);
            Assert.NotNull(seen);
            Assert.True(seen.AsSpan().SequenceEqual(a) || seen.AsSpan().SequenceEqual(b), $"read {reads} saw {seen.Length} bytes of neither version");
            reads++;
        }

        await writer;
    }
}
