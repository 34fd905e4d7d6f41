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

/// <summary>Retention passes over a dataset root with hand-made run directories and manifests published as the engine does.</summary>
public sealed class BatchViewRetentionTests : IDisposable
{
    private static readonly DateOnly Day1 = new(2026, 11, 23);
    private static readonly DateOnly Day2 = new(2026, 11, 24);
    private static readonly DateOnly Day3 = new(2026, 11, 25);

    private readonly TestDirectory _root = new("retention");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<BatchViewRetention> _logger = new();
    private readonly ViewDefinition _view = TestCatalogs.Default.GetView("revenue_by_country");
    private readonly ViewDefinition _other = TestCatalogs.Default.GetView("orders_by_status");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_run_the_manifest_still_names_through_some_days_is_kept_even_without_grace()
    {
        await PublishAsync(_view, "run-1", Day1, Day2, Day3);
        await PassAsync(TimeSpan.Zero);
        await PublishAsync(_view, "run-2", Day3);

        var result = await PassAsync(TimeSpan.Zero);
        _time.Advance(TimeSpan.FromDays(3));
        var later = await PassAsync(TimeSpan.Zero);

        Assert.All(new[] { result, later }, r => Assert.Equal((2, 0), (r.NamedRuns, r.Items.Count)));
        Assert.True(Directory.Exists(RunPath(_view, "run-1")));
        Assert.True(File.Exists(Resolve(BatchViewLayout.DayFile(_view, "run-1", Day3))), "a partly named run is kept whole");
        await AssertManifestFilesExistAsync();
    }

    [Fact]
    public async Task An_unnamed_run_is_kept_for_the_grace_period_and_deleted_after_it()
    {
        await PublishAsync(_view, "run-1", Day1, Day2);
        await PublishAsync(_view, "run-2", Day1, Day2);
        var supersededAt = _time.GetUtcNow();
        var young = await PassAsync(TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromMinutes(59));
        var stillYoung = await PassAsync(TimeSpan.FromHours(1));
        var bytes = new DirectoryInfo(RunPath(_view, "run-1")).EnumerateFiles().Sum(f => f.Length);
        _time.Advance(TimeSpan.FromMinutes(1));

        var old = await PassAsync(TimeSpan.FromHours(1));

        var run1 = $"{BatchViewLayout.RunDirectory(_view, "run-1")}";
        Assert.Equal([new RetentionItem(run1, RetentionItemKind.Run, supersededAt, RetentionAction.KeptInGrace, 0)], young.Items);
        Assert.Equal(young.Items, stillYoung.Items);
        Assert.Equal([new RetentionItem(run1, RetentionItemKind.Run, supersededAt, RetentionAction.Deleted, bytes)], old.Items);
        Assert.Equal((1, 1, bytes), (old.Deleted, old.NamedRuns, old.BytesDeleted));
        Assert.False(Directory.Exists(RunPath(_view, "run-1")));
        Assert.True(Directory.Exists(RunPath(_view, "run-2")));
        await AssertManifestFilesExistAsync();
        var deletion = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Message.StartsWith("Retention deleted Run", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, deletion.Level);
        Assert.Contains(new KeyValuePair<string, string?>("Path", run1), deletion.StructuredState!);
        Assert.Contains(new KeyValuePair<string, string?>("ManifestRunId", "run-2"), deletion.StructuredState!);
        Assert.DoesNotContain("run-1", await File.ReadAllTextAsync(RecordPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_lists_what_a_pass_would_delete_and_changes_nothing()
    {
        await PublishAsync(_view, "run-1", Day1);
        await PublishAsync(_view, "run-2", Day1);
        await PassAsync(TimeSpan.FromHours(1));
        await PublishAsync(_view, "run-3", Day1);
        await PassAsync(TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromMinutes(90));
        await PublishAsync(_view, "run-4", Day1);
        var record = await File.ReadAllTextAsync(RecordPath);
        var before = Snapshot();

        var dry = await Retention(TimeSpan.FromHours(1)).RunAsync(dryRun: true, null, CancellationToken.None);

        Assert.True(dry.DryRun);
        Assert.Equal(
            [("run-1", RetentionAction.WouldDelete), ("run-2", RetentionAction.WouldDelete), ("run-3", RetentionAction.KeptInGrace)],
            dry.Items.Select(i => (i.Path[(i.Path.LastIndexOf('=') + 1)..], i.Action)));
        Assert.All(dry.Items.Where(i => i.Action == RetentionAction.WouldDelete), i => Assert.True(i.Bytes > 0));
        Assert.Equal(before, Snapshot());
        Assert.Equal(record, await File.ReadAllTextAsync(RecordPath));
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Message.StartsWith("Retention deleted", StringComparison.Ordinal));

        var real = await Retention(TimeSpan.FromHours(1)).RunAsync(dryRun: false, null, CancellationToken.None);
        Assert.Equal(
            dry.Items.Select(i => (i.Path, i.Action == RetentionAction.WouldDelete ? RetentionAction.Deleted : i.Action)),
            real.Items.Select(i => (i.Path, i.Action)));
    }

    [Fact]
    public async Task Runs_of_an_old_definition_and_of_a_dropped_view_are_deleted_with_their_directories()
    {
        var oldHash = new string('0', 64);
        var oldFile = $"views/{_view.Name}/00000000/run=run-0/day=2026-11-24.parquet";
        Write(oldFile);
        await TestManifests.PublishAsync(_root.Path, _view, "run-0", [new RecomputedDay(_view.Name, Day2, 1, oldFile)], CancellationToken.None, definitionHash: oldHash);
        await PublishAsync(_other, "run-0b", Day2);
        await PublishAsync(_view, "run-1", Day2);
        await DropViewAsync(_other.Name, "run-2");
        await PassAsync(TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromHours(2));

        var result = await PassAsync(TimeSpan.FromHours(1));

        Assert.Equal(
            [$"views/{_other.Name}/{_other.DefinitionHash[..8]}/run=run-0b", $"views/{_view.Name}/00000000/run=run-0"],
            result.Items.Where(i => i.Action == RetentionAction.Deleted).Select(i => i.Path));
        Assert.False(Directory.Exists(Resolve($"views/{_view.Name}/00000000")));
        Assert.False(Directory.Exists(Resolve($"views/{_other.Name}")));
        Assert.True(Directory.Exists(RunPath(_view, "run-1")));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Message == $"Retention deleted the empty directory views/{_other.Name}");
        await AssertManifestFilesExistAsync();
    }

    [Fact]
    public async Task Only_the_run_directories_of_the_layout_inside_views_are_ever_deleted()
    {
        await PublishAsync(_view, "run-1", Day1);
        var hash8 = _view.DefinitionHash[..8];
        var keep = new[]
        {
            "master/orders/date=2026-11-24/hour=10/p0.parquet",
            "outside.txt",
            "views/notes.txt",
            $"views/{_view.Name}/{hash8}/README",
            $"views/{_view.Name}/{hash8}/other/day=2026-11-24.parquet",
            $"views/{_view.Name}/not-hash/run=x/day=2026-11-24.parquet",
            $"views/.hidden/{hash8}/run=x/day=2026-11-24.parquet",
        };
        foreach (var file in keep)
        {
            Write(file);
        }

        // An orphan of a run that failed before publishing, and a link that leads out of views/.
        Write(BatchViewLayout.DayFile(_view, "failed", Day2));
        using var outside = new TestDirectory("retention-outside");
        File.WriteAllText(Path.Combine(outside.Path, "precious.parquet"), "x");
        Directory.CreateSymbolicLink(RunPath(_view, "linked"), outside.Path);
        await PassAsync(TimeSpan.FromMinutes(5));
        _time.Advance(TimeSpan.FromMinutes(5));

        var result = await PassAsync(TimeSpan.FromMinutes(5));

        Assert.Equal([BatchViewLayout.RunDirectory(_view, "failed")], result.Items.Select(i => i.Path));
        Assert.Equal(RetentionAction.Deleted, result.Items[0].Action);
        Assert.All(keep, file => Assert.True(File.Exists(Resolve(file)), file));
        Assert.True(File.Exists(Path.Combine(outside.Path, "precious.parquet")));
        Assert.True(Directory.Exists(RunPath(_view, "linked")));
    }

    [Fact]
    public async Task A_damaged_record_delays_deletions_instead_of_bringing_them_forward()
    {
        await PublishAsync(_view, "run-1", Day1);
        await PublishAsync(_view, "run-2", Day1);
        await PassAsync(TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromHours(2));
        await File.WriteAllTextAsync(RecordPath, "{ not json");

        var result = await PassAsync(TimeSpan.FromHours(1));

        Assert.Equal([(RetentionAction.KeptInGrace, _time.GetUtcNow())], result.Items.Select(i => (i.Action, i.UnnamedSince)));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("is not valid JSON", StringComparison.Ordinal));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, (await PassAsync(TimeSpan.FromHours(1))).Deleted);
    }

    [Fact]
    public async Task Temporary_files_of_interrupted_publishes_are_deleted_after_the_grace_period()
    {
        await PublishAsync(_view, "run-1", Day1);
        var stale = Resolve($"views/{BatchViewLayout.ManifestFileName}.{Guid.NewGuid():N}.tmp");
        var fresh = Resolve($"views/.superseded.json.{Guid.NewGuid():N}.tmp");
        Write(stale);
        Write(fresh);
        File.SetLastWriteTimeUtc(stale, _time.GetUtcNow().UtcDateTime.AddHours(-2));
        File.SetLastWriteTimeUtc(fresh, _time.GetUtcNow().UtcDateTime.AddMinutes(-10));

        var result = await PassAsync(TimeSpan.FromHours(1));

        Assert.Equal(
            [(RetentionItemKind.TemporaryFile, RetentionAction.Deleted), (RetentionItemKind.TemporaryFile, RetentionAction.KeptInGrace)],
            result.Items.OrderBy(i => i.Action).Select(i => (i.Kind, i.Action)));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(BatchViewLayout.ManifestPath(_root.Path)));
    }

    [Fact]
    public async Task Retention_disabled_records_since_when_runs_are_unnamed_but_deletes_nothing()
    {
        await PublishAsync(_view, "run-1", Day1);
        await PublishAsync(_view, "run-2", Day1);
        var supersededAt = _time.GetUtcNow();

        var recorded = await Retention(TimeSpan.FromHours(1)).RunLockedAsync(RetentionMode.RecordOnly, TimeSpan.FromHours(1), CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(2));
        var due = await Retention(TimeSpan.FromHours(1)).RunLockedAsync(RetentionMode.RecordOnly, TimeSpan.FromHours(1), CancellationToken.None);

        Assert.Equal(RetentionAction.KeptInGrace, Assert.Single(recorded.Items).Action);
        Assert.Equal((RetentionAction.WouldDelete, supersededAt), (Assert.Single(due.Items).Action, due.Items[0].UnnamedSince));
        Assert.True(Directory.Exists(RunPath(_view, "run-1")));
        var deleted = await Retention(TimeSpan.FromHours(1)).RunAsync(dryRun: false, null, CancellationToken.None);
        Assert.Equal(1, deleted.Deleted);
    }

    [Fact]
    public async Task A_pass_is_refused_while_a_recompute_holds_the_lock()
    {
        using var held = RecomputeLock.Acquire(_root.Path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Retention(TimeSpan.Zero).RunAsync(dryRun: false, null, CancellationToken.None));

        Assert.Contains("another recompute is running", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(366 * 24.0)]
    public async Task Grace_periods_outside_zero_to_a_year_are_refused_naming_the_setting(double hours)
    {
        var grace = TimeSpan.FromHours(hours);

        var failure = new RetentionOptionsValidator().Validate(null, new RetentionOptions { GracePeriod = grace });
        var constructor = Assert.Throws<ArgumentException>(() => Retention(grace));
        var run = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Retention(TimeSpan.Zero).RunAsync(dryRun: true, grace, CancellationToken.None));

        Assert.True(failure.Failed);
        Assert.StartsWith("Batch:Retention:GracePeriod must be between 0 and 365 days", failure.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Batch:Retention:GracePeriod", constructor.Message, StringComparison.Ordinal);
        Assert.Equal("gracePeriod", run.ParamName);
        Assert.True(new RetentionOptionsValidator().Validate(null, new RetentionOptions()).Succeeded);
    }

    private string RecordPath => Path.Combine(_root.Path, "views", ".superseded.json");

    private BatchViewRetention Retention(TimeSpan grace) =>
        new(new ManifestStore(_root.Path), Options.Create(new RetentionOptions { GracePeriod = grace }), _time, _logger);

    /// <summary>A pass as the engine runs it after a publish (the test holds no other lock).</summary>
    private Task<RetentionResult> PassAsync(TimeSpan grace) =>
        Retention(grace).RunLockedAsync(RetentionMode.Delete, grace, CancellationToken.None);

    private async Task PublishAsync(ViewDefinition view, string runId, params DateOnly[] days)
    {
        var recomputed = days.Select(day =>
        {
            var file = BatchViewLayout.DayFile(view, runId, day);
            Write(file);
            return new RecomputedDay(view.Name, day, 1, file);
        }).ToArray();
        await TestManifests.PublishAsync(_root.Path, view, runId, recomputed, CancellationToken.None);
    }

    private async Task DropViewAsync(string view, string runId)
    {
        var store = new ManifestStore(_root.Path);
        var current = (await store.LoadAsync(CancellationToken.None))!;
        var views = current.Views.Where(v => v.Key != view).ToDictionary();
        await store.PublishAsync(current with { RunId = runId, Views = views }, current.RunId, CancellationToken.None);
    }

    private async Task AssertManifestFilesExistAsync()
    {
        var manifest = (await new ManifestStore(_root.Path).LoadAsync(CancellationToken.None))!;
        Assert.All(manifest.Views.Values.SelectMany(v => v.Days), d => Assert.True(File.Exists(Resolve(d.File)), d.File));
    }

    /// <summary>Every path under the root but the lock file, which any locked pass creates.</summary>
    private string[] Snapshot() =>
        Directory.EnumerateFileSystemEntries(_root.Path, "*", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) != ".recompute.lock")
            .Order(StringComparer.Ordinal)
            .ToArray();

    private string RunPath(ViewDefinition view, string runId) => Resolve(BatchViewLayout.RunDirectory(view, runId));

    private string Resolve(string relative) => Path.IsPathRooted(relative) ? relative : BatchViewLayout.Resolve(_root.Path, relative);

    private void Write(string file)
    {
        var path = Resolve(file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"contents of {file}");
    }
}
