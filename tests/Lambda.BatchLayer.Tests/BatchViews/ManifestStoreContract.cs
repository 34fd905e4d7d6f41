using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.BatchViews;

namespace Lambda.BatchLayer.Tests.BatchViews;

/// <summary>
/// What every manifest store does, run against each storage kind (<see cref="ManifestStoreTests"/>: the local
/// directory; <see cref="ObjectStoreManifestStoreTests"/>: S3 with the pointer in PostgreSQL).
/// </summary>
public abstract class ManifestStoreContract : IDisposable
{
    private readonly TestDirectory _root = new("manifest");

    /// <summary>The dataset root the tests write the view files into (the batch layer's local root).</summary>
    protected string RootPath => _root.Path;

    public virtual void Dispose() => _root.Dispose();

    /// <summary>A store over <paramref name="root"/> and the kind's shared storage (a new instance per call, as another process would have).</summary>
    protected abstract IManifestStore Open(string root);

    [Fact]
    public async Task Load_without_a_published_manifest_returns_null()
    {
        Assert.Null(await Open(_root.Path).LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Published_manifest_loads_back_equal()
    {
        var store = Open(_root.Path);
        var manifest = Manifest("run-1", ("2026-11-23", "run-1"), ("2026-11-24", "run-0"));
        CreateFiles(manifest);

        await store.PublishAsync(manifest, null, CancellationToken.None);
        var loaded = await store.LoadAsync(CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal(ManifestStore.Serialize(manifest), ManifestStore.Serialize(loaded));
        var entry = loaded.FindView("revenue_by_country")!;
        Assert.Equal(1234, entry.GetWatermark(3));
        Assert.Equal(0, entry.GetWatermark(99));
        Assert.Equal("run-0", entry.FindDay(new DateOnly(2026, 11, 24))!.RunId);
    }

    [Fact]
    public async Task Publish_replaces_the_manifest_only_when_the_expected_run_is_current()
    {
        var store = Open(_root.Path);
        var first = Manifest("run-1", ("2026-11-23", "run-1"));
        var second = Manifest("run-2", ("2026-11-23", "run-2"));
        CreateFiles(first);
        CreateFiles(second);
        await store.PublishAsync(first, null, CancellationToken.None);

        var stale = await Assert.ThrowsAsync<InvalidOperationException>(() => store.PublishAsync(second, null, CancellationToken.None));
        Assert.Contains("run-1", stale.Message, StringComparison.Ordinal);
        Assert.Equal("run-1", (await store.LoadAsync(CancellationToken.None))!.RunId);

        await store.PublishAsync(second, "run-1", CancellationToken.None);
        Assert.Equal("run-2", (await store.LoadAsync(CancellationToken.None))!.RunId);
    }

    [Fact]
    public async Task After_many_publishes_only_the_newest_run_is_accepted_as_the_expected_one()
    {
        const int Runs = 12;
        for (var i = 1; i <= Runs; i++)
        {
            var manifest = Manifest($"run-{i}", ("2026-11-23", $"run-{i}"));
            CreateFiles(manifest);
            // A new store per publish, as each run of the batch layer would open it.
            await Open(_root.Path).PublishAsync(manifest, i == 1 ? null : $"run-{i - 1}", CancellationToken.None);
        }

        var next = Manifest("run-next", ("2026-11-23", "run-next"));
        CreateFiles(next);
        foreach (var stale in new[] { (string?)null, "run-1", $"run-{Runs - 1}" })
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Open(_root.Path).PublishAsync(next, stale, CancellationToken.None));
            Assert.Contains($"'run-{Runs}'", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal($"run-{Runs}", (await Open(_root.Path).LoadAsync(CancellationToken.None))!.RunId);
        await Open(_root.Path).PublishAsync(next, $"run-{Runs}", CancellationToken.None);
        Assert.Equal("run-next", (await Open(_root.Path).LoadAsync(CancellationToken.None))!.RunId);
    }

    [Fact]
    public async Task Publish_refuses_a_manifest_that_names_a_missing_file_and_keeps_the_old_one()
    {
        var store = Open(_root.Path);
        var first = Manifest("run-1", ("2026-11-23", "run-1"));
        CreateFiles(first);
        await store.PublishAsync(first, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => store.PublishAsync(Manifest("run-2", ("2026-11-25", "run-2")), "run-1", CancellationToken.None));

        Assert.Contains("revenue_by_country", error.Message, StringComparison.Ordinal);
        Assert.Contains("day=2026-11-25.parquet", error.Message, StringComparison.Ordinal);
        Assert.Equal("run-1", (await store.LoadAsync(CancellationToken.None))!.RunId);
    }

    protected static BatchManifest Manifest(string runId, params (string Day, string RunId)[] days) => new()
    {
        RunId = runId,
        PublishedAt = new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero),
        Views = new Dictionary<string, BatchViewEntry>
        {
            ["revenue_by_country"] = new()
            {
                View = "revenue_by_country",
                Source = "orders",
                DefinitionHash = "0123456789abcdef",
                RunId = runId,
                ComputedAt = new DateTimeOffset(2026, 11, 25, 2, 59, 0, TimeSpan.Zero),
                Watermarks = new Dictionary<int, long> { [0] = 10, [3] = 1234 },
                Days = days.Select(d => new BatchViewDay(
                    DateOnly.Parse(d.Day, System.Globalization.CultureInfo.InvariantCulture),
                    $"views/revenue_by_country/01234567/run={d.RunId}/day={d.Day}.parquet",
                    10,
                    d.RunId)).ToArray(),
            },
        },
    };

    protected void CreateFiles(BatchManifest manifest)
    {
        foreach (var day in manifest.Views.Values.SelectMany(v => v.Days))
        {
            var path = BatchViewLayout.Resolve(_root.Path, day.File);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x");
        }
    }
}
