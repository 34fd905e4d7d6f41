using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Retention;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.BatchLayer.Tests.Scheduling;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.BatchLayer.Tests.Retention;

/// <summary>
/// Retention on the s3 kind: the bucket objects (day files and manifests) in the stack's S3-protocol server under a
/// prefix of this class's own, the manifest rows in a PostgreSQL schema of its own. The clock starts at the real time,
/// because the age of an object no manifest names is its upload time by the server's clock.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ObjectStoreRetentionTests : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private static readonly DateOnly Day1 = new(2026, 11, 23);
    private static readonly DateOnly Day2 = new(2026, 11, 24);

    private readonly S3TestStore _s3 = S3TestStore.Create();
    private readonly TestDirectory _root = new("s3-retention");
    private readonly TestDirectory _elsewhere = new("s3-retention-reader");
    // Whole seconds: PostgreSQL keeps microseconds, so the manifests' times read back equal.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly FakeLogger<BatchViewRetention> _logger = new();
    private readonly FakeLogger<ObjectStoreManifestStore> _storeLogger = new();
    private readonly ViewDefinition _view = TestCatalogs.Default.GetView("revenue_by_country");
    private PostgresTestSchema _schema = null!;

    public async Task InitializeAsync() => _schema = await PostgresTestSchema.CreateAsync("it_s3_retention");

    public async Task DisposeAsync()
    {
        await _schema.DisposeAsync();
        await _s3.DisposeAsync();
        _root.Dispose();
        _elsewhere.Dispose();
    }

    [Fact]
    public async Task Objects_of_a_superseded_run_are_kept_for_the_grace_period_after_their_last_manifest_and_deleted_after_it()
    {
        var start = _time.GetUtcNow();
        var manifest1 = await PublishAsync("run-1", Day1, Day2);
        _time.Advance(TimeSpan.FromMinutes(10));
        var manifest2 = await PublishAsync("run-2", Day1);
        var young = await PassAsync();
        _time.Advance(TimeSpan.FromMinutes(30));
        await PublishAsync("run-3", Day1, Day2);
        var run3Keys = await KeysAsync();
        var manifestKeys = await ManifestKeysAsync();

        _time.Advance(TimeSpan.FromMinutes(40));
        var first = await PassAsync();

        Assert.Empty(Stored(young));
        Assert.Equal(3, manifestKeys.Count);
        var run1Day1 = BatchViewLayout.DayFile(_view, "run-1", Day1);
        Assert.Equal(
            [(manifestKeys[0], start.AddMinutes(10), RetentionAction.Deleted), (run1Day1, start.AddMinutes(10), RetentionAction.Deleted)],
            Stored(first).Select(i => (i.Path, i.UnnamedSince, i.Action)).OrderBy(i => i.Path, StringComparer.Ordinal));
        Assert.All(Stored(first), i => Assert.True(i.Bytes > 0));
        Assert.Equal(run3Keys.Except([manifestKeys[0], run1Day1]), await KeysAsync());
        Assert.Equal(manifestKeys.Skip(1), await ManifestKeysAsync());
        Assert.Equal("run-3", (await Store(_elsewhere.Path).LoadAsync(CancellationToken.None))!.RunId);
        Assert.True(await _s3.Store.DownloadAsync(manifest2.FindView(_view.Name)!.FindDay(Day2)!.File, Path.Combine(_elsewhere.Path, "still-in-grace"), CancellationToken.None),
            "a reader that loaded run-2's manifest within the grace period can still copy run-1's day 2, which it names");
        Assert.Equal(manifest1.FindView(_view.Name)!.FindDay(Day2)!.File, manifest2.FindView(_view.Name)!.FindDay(Day2)!.File);

        _time.Advance(TimeSpan.FromMinutes(40));
        var second = await PassAsync();

        Assert.Equal(
            [manifestKeys[1], BatchViewLayout.DayFile(_view, "run-1", Day2), BatchViewLayout.DayFile(_view, "run-2", Day1)],
            Stored(second).Where(i => i.Action == RetentionAction.Deleted).Select(i => i.Path).Order(StringComparer.Ordinal));
        var current = await ManifestKeysAsync();
        Assert.Equal([manifestKeys[2]], current);
        Assert.Equal(
            new[] { manifestKeys[2], BatchViewLayout.DayFile(_view, "run-3", Day1), BatchViewLayout.DayFile(_view, "run-3", Day2) }.Order(StringComparer.Ordinal),
            await KeysAsync());

        _time.Advance(TimeSpan.FromDays(30));
        var much = await PassAsync();
        Assert.Empty(Stored(much));
        Assert.Equal(3, (await KeysAsync()).Count);
        Assert.Equal("run-3", (await Store(_elsewhere.Path).LoadAsync(CancellationToken.None))!.RunId);
    }

    [Fact]
    public async Task Objects_a_killed_publish_uploaded_are_deleted_once_older_than_the_grace_period_and_a_dry_run_only_lists_them()
    {
        await PublishAsync("run-1", Day1);
        var orphanDay = BatchViewLayout.DayFile(_view, "run-9", Day1);
        var orphanManifest = $"{ObjectStoreManifestStore.ManifestPrefix}run-9-{Guid.NewGuid():N}.json";
        await _s3.Store.PutAsync(orphanDay, "half a publish"u8.ToArray(), CancellationToken.None);
        await _s3.Store.PutAsync(orphanManifest, "{}"u8.ToArray(), CancellationToken.None);
        var before = await KeysAsync();

        var young = await PassAsync();
        _time.Advance(Grace + TimeSpan.FromMinutes(5));
        var dry = await Retention().RunAsync(dryRun: true, null, CancellationToken.None);
        var dryKeys = await KeysAsync();
        var old = await Retention().RunAsync(dryRun: false, null, CancellationToken.None);

        Assert.Equal(
            [(orphanManifest, RetentionAction.KeptInGrace), (orphanDay, RetentionAction.KeptInGrace)],
            Stored(young).Select(i => (i.Path, i.Action)).OrderBy(i => i.Path, StringComparer.Ordinal));
        Assert.Equal(
            [(orphanManifest, RetentionAction.WouldDelete), (orphanDay, RetentionAction.WouldDelete)],
            Stored(dry).Select(i => (i.Path, i.Action)).OrderBy(i => i.Path, StringComparer.Ordinal));
        Assert.Equal(before, dryKeys);
        Assert.Equal(
            [(orphanManifest, RetentionAction.Deleted), (orphanDay, RetentionAction.Deleted)],
            Stored(old).Select(i => (i.Path, i.Action)).OrderBy(i => i.Path, StringComparer.Ordinal));
        Assert.Equal(before.Except([orphanDay, orphanManifest]), await KeysAsync());
        Assert.Equal("run-1", (await Store(_elsewhere.Path).LoadAsync(CancellationToken.None))!.RunId);
    }

    [Fact]
    public async Task An_expired_manifest_that_cannot_be_read_is_skipped_with_a_warning_naming_it_and_its_day_files_go_by_their_age()
    {
        await PublishAsync("run-1", Day1);
        _time.Advance(TimeSpan.FromMinutes(1));
        await PublishAsync("run-2", Day1);
        _time.Advance(Grace + TimeSpan.FromMinutes(5));
        var damaged = (await ManifestKeysAsync())[0];
        // The platform never rewrites a manifest object: this stands in for one damaged in the bucket.
        await _s3.Store.PutAsync(damaged, "{ not a manifest"u8.ToArray(), CancellationToken.None);
        var run1Day1 = BatchViewLayout.DayFile(_view, "run-1", Day1);

        var old = await PassAsync();

        var warning = Assert.Single(_storeLogger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(damaged, warning.GetStructuredStateValue("ObjectKey"));
        Assert.False(string.IsNullOrEmpty(warning.GetStructuredStateValue("Reason")));
        Assert.Equal(
            [(damaged, RetentionAction.Deleted), (run1Day1, RetentionAction.Deleted)],
            Stored(old).Select(i => (i.Path, i.Action)).OrderBy(i => i.Path, StringComparer.Ordinal));
        Assert.Equal("run-2", (await Store(_elsewhere.Path).LoadAsync(CancellationToken.None))!.RunId);
    }

    [Fact]
    public async Task With_retention_disabled_the_pass_reports_due_objects_and_deletes_no_object_and_no_manifest_row()
    {
        await PublishAsync("run-1", Day1);
        await PublishAsync("run-2", Day1);
        _time.Advance(Grace * 2);
        var before = await KeysAsync();

        var result = await Retention().RunLockedAsync(RetentionMode.RecordOnly, Grace, CancellationToken.None);

        Assert.Equal(2, Stored(result).Count(i => i.Action == RetentionAction.WouldDelete));
        Assert.Equal(before, await KeysAsync());
        Assert.Equal(2, (await ManifestKeysAsync()).Count);
    }

    private static IEnumerable<RetentionItem> Stored(RetentionResult result) => result.Items.Where(i => i.Kind == RetentionItemKind.StoredObject);

    private ObjectStoreManifestStore Store(string root) => new(root, _s3.Store, _schema.DataSource, _storeLogger);

    private BatchViewRetention Retention() =>
        new(Store(_root.Path), Options.Create(new RetentionOptions { GracePeriod = Grace }), _time, _logger);

    /// <summary>A pass as the engine runs it after a publish.</summary>
    private Task<RetentionResult> PassAsync() => Retention().RunLockedAsync(RetentionMode.Delete, Grace, CancellationToken.None);

    private async Task<BatchManifest> PublishAsync(string runId, params DateOnly[] days)
    {
        var recomputed = days.Select(day =>
        {
            var file = BatchViewLayout.DayFile(_view, runId, day);
            var path = BatchViewLayout.Resolve(_root.Path, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"contents of {file}");
            return new RecomputedDay(_view.Name, day, 1, file);
        }).ToArray();
        return await TestManifests.PublishAsync(_root.Path, _view, runId, recomputed, CancellationToken.None, store: Store(_root.Path), publishedAt: _time.GetUtcNow());
    }

    private async Task<List<string>> KeysAsync()
    {
        var keys = new List<string>();
        await foreach (var item in _s3.Store.ListAsync("", CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    /// <summary>The committed manifests' objects, oldest first, read straight from the table (not through the code under test).</summary>
    private async Task<List<string>> ManifestKeysAsync()
    {
        var keys = new List<string>();
        await using var command = _schema.DataSource.CreateCommand("SELECT object_key FROM batch_manifests ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
