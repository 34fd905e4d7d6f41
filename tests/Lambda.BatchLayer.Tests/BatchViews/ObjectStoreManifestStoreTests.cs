using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.BatchViews;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.BatchLayer.Tests.BatchViews;

/// <summary>
/// The manifest-store contract on the s3 kind (files and manifests in the stack's S3-protocol server, the pointer in a
/// PostgreSQL schema of the test's own), and what a reader on another machine and a publish killed before its commit see.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ObjectStoreManifestStoreTests : ManifestStoreContract, IAsyncLifetime
{
    private readonly S3TestStore _s3 = S3TestStore.Create();
    private readonly TestDirectory _elsewhere = new("manifest-reader");
    private PostgresTestSchema _schema = null!;

    public async Task InitializeAsync() => _schema = await PostgresTestSchema.CreateAsync("it_manifest");

    public async Task DisposeAsync()
    {
        await _schema.DisposeAsync();
        await _s3.DisposeAsync();
    }

    public override void Dispose()
    {
        _elsewhere.Dispose();
        base.Dispose();
    }

    protected override IManifestStore Open(string root) =>
        new ObjectStoreManifestStore(root, _s3.Store, _schema.DataSource, NullLogger<ObjectStoreManifestStore>.Instance);

    [Fact]
    public async Task A_reader_with_an_empty_root_gets_the_current_manifest_and_its_files_byte_for_byte()
    {
        var first = Manifest("run-1", ("2026-11-23", "run-1"));
        CreateFiles(first);
        await Open(RootPath).PublishAsync(first, null, CancellationToken.None);
        var second = Manifest("run-2", ("2026-11-23", "run-1"), ("2026-11-24", "run-2"));
        CreateFiles(second);
        await File.WriteAllTextAsync(BatchViewLayout.Resolve(RootPath, second.Views.Values.Single().Days[1].File), "run-2's own bytes");
        await Open(RootPath).PublishAsync(second, "run-1", CancellationToken.None);

        var loaded = await Open(_elsewhere.Path).LoadAsync(CancellationToken.None);

        Assert.Equal(ManifestStore.Serialize(second), ManifestStore.Serialize(loaded!));
        foreach (var day in loaded!.Views.Values.Single().Days)
        {
            Assert.Equal(await File.ReadAllBytesAsync(BatchViewLayout.Resolve(RootPath, day.File)), await File.ReadAllBytesAsync(BatchViewLayout.Resolve(_elsewhere.Path, day.File)));
        }
    }

    [Fact]
    public async Task Day_files_staged_by_the_worker_that_wrote_them_are_published_by_an_instance_that_lacks_them()
    {
        using var publisher = new TestDirectory("manifest-publisher");
        var manifest = Manifest("run-1", ("2026-11-23", "run-1"), ("2026-11-24", "run-1"));
        CreateFiles(manifest);

        var unstaged = await Assert.ThrowsAsync<InvalidDataException>(() => Open(publisher.Path).PublishAsync(manifest, null, CancellationToken.None));
        Assert.Contains("neither in the store nor under this instance's root", unstaged.Message, StringComparison.Ordinal);

        foreach (var day in manifest.Views.Values.Single().Days)
        {
            await ((IBatchViewFileStager)Open(RootPath)).StageAsync(day.File, CancellationToken.None);
        }

        await Open(publisher.Path).PublishAsync(manifest, null, CancellationToken.None);

        var loaded = await Open(_elsewhere.Path).LoadAsync(CancellationToken.None);
        Assert.Equal("run-1", loaded!.RunId);
        foreach (var day in loaded.Views.Values.Single().Days)
        {
            Assert.Equal(await File.ReadAllBytesAsync(BatchViewLayout.Resolve(RootPath, day.File)), await File.ReadAllBytesAsync(BatchViewLayout.Resolve(_elsewhere.Path, day.File)));
        }
    }

    [Fact]
    public async Task A_manifest_object_a_killed_publish_left_uncommitted_is_never_read_and_the_next_publish_leaves_it_to_retention()
    {
        var first = Manifest("run-1", ("2026-11-23", "run-1"));
        CreateFiles(first);
        await Open(RootPath).PublishAsync(first, null, CancellationToken.None);
        var orphan = $"{ObjectStoreManifestStore.ManifestPrefix}run-9-{Guid.NewGuid():N}.json";
        await _s3.Store.PutAsync(orphan, System.Text.Encoding.UTF8.GetBytes(ManifestStore.Serialize(Manifest("run-9"))), CancellationToken.None);

        Assert.Equal("run-1", (await Open(_elsewhere.Path).LoadAsync(CancellationToken.None))!.RunId);
        var second = Manifest("run-2", ("2026-11-24", "run-2"));
        CreateFiles(second);
        await Open(RootPath).PublishAsync(second, "run-1", CancellationToken.None);

        Assert.Equal("run-2", (await Open(_elsewhere.Path).LoadAsync(CancellationToken.None))!.RunId);
        Assert.NotNull(await _s3.Store.ReadAsync(orphan, CancellationToken.None));
    }

    [Fact]
    public async Task A_publish_compares_with_the_newest_row_also_when_an_older_row_is_gone_and_a_newer_object_is_uncommitted()
    {
        var store = Open(RootPath);
        foreach (var (run, expected) in new[] { ("run-1", (string?)null), ("run-2", "run-1"), ("run-3", "run-2") })
        {
            var manifest = Manifest(run, ("2026-11-23", run));
            CreateFiles(manifest);
            await store.PublishAsync(manifest, expected, CancellationToken.None);
        }

        await using (var drop = _schema.DataSource.CreateCommand("DELETE FROM batch_manifests WHERE run_id = 'run-1'"))
        {
            Assert.Equal(1, await drop.ExecuteNonQueryAsync());
        }

        await _s3.Store.PutAsync(
            $"{ObjectStoreManifestStore.ManifestPrefix}run-9-{Guid.NewGuid():N}.json",
            System.Text.Encoding.UTF8.GetBytes(ManifestStore.Serialize(Manifest("run-9"))),
            CancellationToken.None);
        var fourth = Manifest("run-4", ("2026-11-23", "run-4"));
        CreateFiles(fourth);

        Assert.Contains("'run-3'", (await Assert.ThrowsAsync<InvalidOperationException>(() => store.PublishAsync(fourth, "run-9", CancellationToken.None))).Message, StringComparison.Ordinal);
        await store.PublishAsync(fourth, "run-3", CancellationToken.None);
        Assert.Equal("run-4", (await Open(_elsewhere.Path).LoadAsync(CancellationToken.None))!.RunId);
    }
}
