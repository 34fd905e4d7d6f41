using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Retention;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Tests.Recompute;

/// <summary>
/// The recompute engine over master datasets written directly (Parquet files and commit log, no Kafka) with
/// in-memory flush boundaries; the end-to-end run with Kafka and ClickHouse is <see cref="RecomputeEndToEndTests"/>.
/// </summary>
public sealed class RecomputeEngineTests : IDisposable
{
    private const int Partitions = 4;
    private const int FirstWave = 40_000;
    private const string Revenue = "revenue_by_country";
    private const string ByStatus = "orders_by_status";

    private readonly TestDirectory _root = new("recompute");
    private readonly LambdaCatalog _catalog = TestCatalogs.Default;
    private readonly SourceDefinition _orders = TestCatalogs.Default.GetSource("orders");
    private readonly FixedFlushBoundaries _boundaries = new();
    private readonly List<OrderMessage> _messages = [];

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task First_run_computes_every_view_from_exactly_the_events_below_its_watermarks()
    {
        var ends = await ArchiveAsync(FirstWave, perCommit: 3_000);
        AddBoundaries(ends, skipPartition: 3);

        var result = await Engine().RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        var manifest = (await Store.LoadAsync(CancellationToken.None))!;

        Assert.False(result.NothingToDo);
        var readable = MasterDatasetSnapshot.Load(_root.Path, "orders").Files
            .Where(f => manifest.Views.Values.Any(v => f.MinOffset < v.GetWatermark(f.Partition)))
            .Sum(f => f.Rows);
        Assert.Equal(readable, result.RowsRead);
        Assert.True(result.RowsRead < _messages.Count(m => m.Event is not null));
        Assert.Equal(manifest.RunId, result.RunId);
        Assert.Equal([ByStatus, Revenue], manifest.Views.Keys);
        foreach (var (view, step) in new[] { (Revenue, 700L), (ByStatus, 1_100L) })
        {
            var entry = manifest.FindView(view)!;
            var expectedWatermarks = ends.ToDictionary(e => e.Key, e => e.Key == 3 ? 0 : e.Value / step * step);
            Assert.Equal(expectedWatermarks, entry.Watermarks);
            Assert.Equal(_catalog.GetView(view).DefinitionHash, entry.DefinitionHash);
            await AssertViewAsync(entry);
            Assert.Equal(result.Days.Where(d => d.View == view).Select(d => d.Day).Order(), entry.Days.Select(d => d.Day));
            Assert.Equal(result.Days.Where(d => d.View == view).Sum(d => d.Rows), entry.Days.Sum(d => d.Rows));
        }

        Assert.Equal(result.Days.Sum(d => d.Rows), result.RowsWritten);
        Assert.Equal(3, manifest.FindView(Revenue)!.Days.Count);
    }

    [Fact]
    public async Task A_second_run_without_new_data_recomputes_and_publishes_nothing()
    {
        AddBoundaries(await ArchiveAsync(FirstWave, perCommit: 5_000));
        var first = await Engine().RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        var before = await File.ReadAllTextAsync(BatchViewLayout.ManifestPath(_root.Path));

        var second = await Engine().RunAsync(new RecomputeRequest(), null, CancellationToken.None);

        Assert.True(second.NothingToDo);
        Assert.Empty(second.Days);
        Assert.Equal(0, second.RowsRead);
        Assert.NotEqual(first.RunId, second.RunId);
        Assert.Equal(before, await File.ReadAllTextAsync(BatchViewLayout.ManifestPath(_root.Path)));
        Assert.False(Directory.Exists(Path.Combine(_root.Path, "views", Revenue, _catalog.GetView(Revenue).DefinitionHash[..8], $"run={second.RunId}")));
    }

    [Fact]
    public async Task An_incremental_run_recomputes_exactly_the_days_with_events_between_the_old_and_new_watermarks()
    {
        var firstEnds = await ArchiveAsync(FirstWave, perCommit: 3_000);
        AddBoundaries(firstEnds);
        var first = await Engine().RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        var firstManifest = (await Store.LoadAsync(CancellationToken.None))!;

        // A second wave (day 4 and late events) and speed flushes past the first run's watermarks.
        var ends = await ArchiveAsync(4_000, perCommit: 1_000, total: FirstWave);
        AddBoundaries(ends);
        var second = await Engine().RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        var manifest = (await Store.LoadAsync(CancellationToken.None))!;

        foreach (var view in new[] { Revenue, ByStatus })
        {
            var before = firstManifest.FindView(view)!;
            var after = manifest.FindView(view)!;
            var dirty = _messages
                .Where(m => m.Event is not null && m.Offset >= before.GetWatermark(m.Partition) && m.Offset < after.GetWatermark(m.Partition))
                .Select(m => DateOnly.FromDateTime(m.Event!.Timestamp.UtcDateTime))
                .ToHashSet();
            Assert.Equal(dirty.Order(), second.Days.Where(d => d.View == view).Select(d => d.Day));
            var carried = after.Days.Where(d => !dirty.Contains(d.Day)).ToArray();
            Assert.NotEmpty(carried);
            Assert.All(carried, d => Assert.Equal(before.FindDay(d.Day), d));
            Assert.All(after.Days.Where(d => dirty.Contains(d.Day)), d => Assert.Equal(second.RunId, d.RunId));
            Assert.Contains(new DateOnly(2026, 11, 26), after.Days.Select(d => d.Day));
            await AssertViewAsync(after);
        }

        Assert.Equal(first.RunId, firstManifest.RunId);
        Assert.True(second.RowsRead < first.RowsRead + 4_000);
    }

    [Fact]
    public async Task Full_and_backfill_runs_give_the_same_views_as_incremental_runs()
    {
        AddBoundaries(await ArchiveAsync(FirstWave, perCommit: 4_000));
        await Engine().RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        AddBoundaries(await ArchiveAsync(3_000, perCommit: 1_000, total: FirstWave));
        await Engine().RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        var incremental = (await Store.LoadAsync(CancellationToken.None))!;

        var full = await Engine().RunAsync(new RecomputeRequest { Mode = RecomputeMode.Full }, null, CancellationToken.None);
        var afterFull = (await Store.LoadAsync(CancellationToken.None))!;
        var day = new DateOnly(2026, 11, 24);
        var backfill = await Engine().RunAsync(new RecomputeRequest { Mode = RecomputeMode.Backfill, From = day, To = day, Views = [Revenue] }, null, CancellationToken.None);
        var afterBackfill = (await Store.LoadAsync(CancellationToken.None))!;

        Assert.Equal(incremental.Views.Values.Sum(v => v.Days.Count), full.Days.Count);
        foreach (var view in new[] { Revenue, ByStatus })
        {
            var definition = _catalog.GetView(view);
            Assert.Equal(incremental.FindView(view)!.Watermarks, afterFull.FindView(view)!.Watermarks);
            Assert.Null(ViewAggregator.FindDifference(
                await ReadAsync(incremental.FindView(view)!, definition),
                await ReadAsync(afterFull.FindView(view)!, definition)));
        }

        Assert.Equal([(Revenue, day)], backfill.Days.Select(d => (d.View, d.Day)));
        AssertSame(afterFull.FindView(ByStatus), afterBackfill.FindView(ByStatus));
        Assert.Equal(
            afterFull.FindView(Revenue)!.Days.Where(d => d.Day != day),
            afterBackfill.FindView(Revenue)!.Days.Where(d => d.Day != day));
        await AssertViewAsync(afterBackfill.FindView(Revenue)!);
    }

    [Fact]
    public async Task A_published_watermark_is_kept_when_the_speed_layer_no_longer_reports_boundaries_above_it()
    {
        var ends = await ArchiveAsync(8_000, perCommit: 2_000);
        AddBoundaries(ends);
        await Engine().RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        var published = (await Store.LoadAsync(CancellationToken.None))!.FindView(Revenue)!;
        await ArchiveAsync(2_000, perCommit: 2_000, total: 8_000);

        // Speed deltas below the watermark were dropped: only old, lower boundaries remain visible.
        var lower = new FixedFlushBoundaries();
        lower.Add(Revenue, 0, 100);
        var result = await Engine(lower).RunAsync(new RecomputeRequest { Views = [Revenue] }, null, CancellationToken.None);

        Assert.True(result.NothingToDo);
        AssertSame(published, (await Store.LoadAsync(CancellationToken.None))!.FindView(Revenue));
    }

    [Fact]
    public async Task A_changed_view_definition_replaces_the_old_version_with_a_full_recompute()
    {
        AddBoundaries(await ArchiveAsync(6_000, perCommit: 2_000));
        await Engine().RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        var changed = CatalogLoader.Parse(TestCatalogs.DefaultText.Replace(
            "measures: { orders: count, revenue: sum(amount), biggest: max(amount), buyers: distinct(user_id) }",
            "measures: { orders: count, revenue: sum(amount), smallest: min(amount), buyers: distinct(user_id) }",
            StringComparison.Ordinal));
        var view = changed.GetView(Revenue);
        Assert.NotEqual(_catalog.GetView(Revenue).DefinitionHash, view.DefinitionHash);
        var boundaries = new FixedFlushBoundaries();
        boundaries.AddEvery(Revenue, MasterDatasetSnapshot.Load(_root.Path, "orders").CommittedEnds, 500);

        var result = await Engine(boundaries, changed).RunAsync(new RecomputeRequest { Views = [Revenue] }, null, CancellationToken.None);
        var entry = (await Store.LoadAsync(CancellationToken.None))!.FindView(Revenue)!;

        Assert.Equal(view.DefinitionHash, entry.DefinitionHash);
        Assert.Equal(entry.Days.Select(d => d.Day), result.Days.Select(d => d.Day));
        Assert.All(entry.Days, d => Assert.StartsWith($"views/{Revenue}/{view.DefinitionHash[..8]}/run={result.RunId}/", d.File, StringComparison.Ordinal));
        await AssertViewAsync(entry, view);
    }

    [Fact]
    public async Task Views_of_sources_without_archived_data_and_unrequested_views_stay_unpublished()
    {
        AddBoundaries(await ArchiveAsync(8_000, perCommit: 1_000));

        var result = await Engine().RunAsync(new RecomputeRequest { Views = [ByStatus, "site_climate"] }, null, CancellationToken.None);
        var manifest = (await Store.LoadAsync(CancellationToken.None))!;

        Assert.Equal([ByStatus], manifest.Views.Keys);
        Assert.All(result.Days, d => Assert.Equal(ByStatus, d.View));
    }

    [Theory]
    [InlineData(RecomputeMode.Backfill, "2026-11-24", null, null, "request.From and request.To")]
    [InlineData(RecomputeMode.Backfill, "2026-11-25", "2026-11-24", null, "is after request.To")]
    [InlineData(RecomputeMode.Incremental, "2026-11-24", "2026-11-24", null, "only valid with Mode = Backfill")]
    [InlineData(RecomputeMode.Full, null, null, "no_such_view", "request.Views: view 'no_such_view'")]
    [InlineData((RecomputeMode)42, null, null, null, "request.Mode")]
    public async Task Invalid_requests_are_rejected_naming_the_field(RecomputeMode mode, string? from, string? to, string? view, string expected)
    {
        var request = new RecomputeRequest
        {
            Mode = mode,
            From = from is null ? null : DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture),
            To = to is null ? null : DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture),
            Views = view is null ? null : [view],
        };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Engine().RunAsync(request, null, CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _boundaries.Calls);
    }

    [Fact]
    public void A_catalog_with_lookups_and_no_lookup_reader_is_refused()
    {
        Assert.NotEmpty(_catalog.Lookups);
        var storage = Options.Create(new BatchStorageOptions { DatasetRoot = _root.Path });
        var options = Options.Create(new RecomputeOptions());

        var engine = Assert.Throws<ArgumentException>(() => new RecomputeEngine(
            _catalog, storage, options, _boundaries, Store, new BatchViewWriter(), NullLogger<RecomputeEngine>.Instance, TimeProvider.System));
        var executor = Assert.Throws<ArgumentException>(() => new ChunkExecutor(_catalog, storage, options, new BatchViewWriter()));

        Assert.Equal("lookups", engine.ParamName);
        Assert.Equal("lookups", executor.ParamName);
        Assert.All(_catalog.Lookups, l => Assert.Contains(l.Name, engine.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_concurrent_recompute_is_refused()
    {
        using var held = RecomputeLock.Acquire(_root.Path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Engine().RunAsync(new RecomputeRequest(), null, CancellationToken.None));

        Assert.Contains("another recompute is running", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_run_publishes_nothing_and_reports_progress_until_then()
    {
        AddBoundaries(await ArchiveAsync(FirstWave, perCommit: 1_000));
        using var cts = new CancellationTokenSource();
        var stages = new List<RecomputeProgress>();
        var progress = new SynchronousProgress(p =>
        {
            lock (stages)
            {
                stages.Add(p);
                if (p.Stage == "chunks" && p.Completed > 0 && p.Completed < p.Total)
                {
                    cts.Cancel();
                }
            }
        });

        // One day per claim: the chunks complete in several steps, and the run is cancelled between two of them.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine(daysPerClaim: 1).RunAsync(new RecomputeRequest(), progress, cts.Token));

        Assert.Null(await Store.LoadAsync(CancellationToken.None));
        Assert.Contains(stages, s => s.Stage == "plan");
        Assert.DoesNotContain(stages, s => s.Stage == "publish");
        var completed = await Engine().RunAsync(new RecomputeRequest(), progress, CancellationToken.None);
        Assert.False(completed.NothingToDo);
        Assert.Contains(stages, s => s.Stage == "publish" && s.Completed == 1 && s.RowsRead == completed.RowsRead);
    }

    [Fact]
    public async Task Retention_after_each_run_deletes_only_runs_superseded_longer_than_the_grace_period_and_leaves_the_served_views_unchanged()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero));
        var retention = new BatchViewRetention(Store, Options.Create(new RetentionOptions()), time, new FakeLogger<BatchViewRetention>());
        var engine = Engine(time: time, retention: retention);
        AddBoundaries(await ArchiveAsync(FirstWave, perCommit: 3_000));
        var first = await engine.RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        AddBoundaries(await ArchiveAsync(4_000, perCommit: 1_000, total: FirstWave));
        time.Advance(TimeSpan.FromHours(2));

        // Incremental: the second run recomputes the changed days; the others still point into the first run.
        var second = await engine.RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        var served = await ReadServedAsync();
        Assert.Equal((4, 0), (second.Retention!.NamedRuns, second.Retention.Items.Count));
        Assert.Equal(4, RunDirectories().Count);

        time.Advance(TimeSpan.FromHours(2));
        var full = await engine.RunAsync(new RecomputeRequest { Mode = RecomputeMode.Full }, null, CancellationToken.None);
        var supersededAt = time.GetUtcNow();
        Assert.Equal(2, full.Retention!.NamedRuns);
        Assert.Equal(4, full.Retention.Items.Count);
        Assert.All(full.Retention.Items, i => Assert.Equal((RetentionAction.KeptInGrace, supersededAt), (i.Action, i.UnnamedSince)));
        AssertSameServed(served, await ReadServedAsync());

        time.Advance(TimeSpan.FromMinutes(59));
        var early = await engine.RunAsync(new RecomputeRequest(), null, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1));
        var due = await engine.RunAsync(new RecomputeRequest(), null, CancellationToken.None);

        Assert.True(early.NothingToDo && due.NothingToDo);
        Assert.Equal(0, early.Retention!.Deleted);
        Assert.Equal(4, due.Retention!.Deleted);
        Assert.All(due.Retention.Items, i => Assert.Contains(i.Path[(i.Path.LastIndexOf('=') + 1)..], new[] { first.RunId, second.RunId }));
        Assert.All(RunDirectories(), d => Assert.EndsWith($"run={full.RunId}", d, StringComparison.Ordinal));
        Assert.Equal(2, RunDirectories().Count);
        AssertSameServed(served, await ReadServedAsync());
        foreach (var entry in (await Store.LoadAsync(CancellationToken.None))!.Views.Values)
        {
            await AssertViewAsync(entry);
        }
    }

    [Fact]
    public async Task Chunks_held_by_a_worker_that_died_are_redone_after_its_lease_and_the_run_publishes_the_bytes_of_a_one_worker_run()
    {
        AddBoundaries(await ArchiveAsync(FirstWave, perCommit: 3_000));
        var full = new RecomputeRequest { Mode = RecomputeMode.Full };
        await Engine().RunAsync(full, null, CancellationToken.None);
        var alone = (await Store.LoadAsync(CancellationToken.None))!;

        // Beside the coordinator, a worker that claims the first chunks offered (two days of a source) and then dies: no
        // renewal, no completion. The coordinator claims two days at a time, the one-worker run above eight.
        var options = Options.Create(new RecomputeOptions
        {
            MaxDegreeOfParallelism = 3, ChunkLease = TimeSpan.FromMilliseconds(500), ChunkPollInterval = TimeSpan.FromMilliseconds(20), DaysPerClaim = 2,
        });
        var storage = Options.Create(new BatchStorageOptions { DatasetRoot = _root.Path });
        var store = new InMemoryRecomputeChunkStore(TimeProvider.System);
        var coordinator = new ChunkWorker(store, new ChunkExecutor(_catalog, storage, options, new BatchViewWriter(), Lookups), options, TimeProvider.System, NullLogger<ChunkWorker>.Instance);
        var dying = new DyingWorker(store);
        var progress = new List<RecomputeProgress>();
        // Without a takeover the run would wait for the dead worker for ever: bounded, it fails instead.
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var shared = await new RecomputeEngine(
                _catalog, storage, options, _boundaries, Store, new BatchViewWriter(), NullLogger<RecomputeEngine>.Instance, TimeProvider.System, lookups: Lookups, chunks: coordinator, dispatcher: dying)
            .RunAsync(full, new SynchronousProgress(p => progress.Add(p)), bound.Token);
        var published = (await Store.LoadAsync(CancellationToken.None))!;

        Assert.Equal(shared.RunId, published.RunId);
        Assert.Equal(2, dying.Claimed.Select(c => c.Day).Distinct().Count());
        Assert.Contains(shared.Days, d => dying.Claimed.Any(c => c.View == d.View && c.Day == d.Day));
        var chunks = progress.Where(p => p.Stage == "chunks").ToArray();
        Assert.Equal(0, chunks[0].Completed);
        Assert.Equal(chunks[0].Total, chunks[^1].Completed);
        Assert.Equal(shared.Days.Count, chunks[0].Total);
        var (difference, files, _) = PublishedRunComparison.Compare(_root.Path, alone, published);
        Assert.Null(difference);
        Assert.Equal(shared.Days.Count, files);
    }

    [Fact]
    public async Task The_run_of_a_coordinator_that_died_is_adopted_without_computing_its_finished_chunks_again_and_publishes_the_bytes_of_a_one_worker_run()
    {
        AddBoundaries(await ArchiveAsync(FirstWave, perCommit: 3_000));
        var full = new RecomputeRequest { Mode = RecomputeMode.Full };
        await Engine().RunAsync(full, null, CancellationToken.None);
        var alone = (await Store.LoadAsync(CancellationToken.None))!;

        var store = new InMemoryRecomputeChunkStore(TimeProvider.System);
        var dead = await DieMidRunAsync(store, full);
        var before = await store.GetStatusAsync(dead, CancellationToken.None);
        Assert.InRange(before.Done, 1, before.Total - 1);
        var written = before.Outcomes.Select(o => o.File).OfType<string>().ToDictionary(f => f, f => File.GetLastWriteTimeUtc(BatchViewLayout.Resolve(_root.Path, f)));
        Assert.NotEmpty(written);

        var progress = new List<RecomputeProgress>();
        var result = await ChunkedEngine(store).RunAsync(full, new SynchronousProgress(p => progress.Add(p)), CancellationToken.None);
        var published = (await Store.LoadAsync(CancellationToken.None))!;

        // The run went on under the dead coordinator's id from the chunks it had finished, whose files were not written again.
        Assert.Equal(dead, result.RunId);
        Assert.Equal(dead, published.RunId);
        Assert.Equal(before.Done, progress.First(p => p.Stage == "chunks").Completed);
        Assert.All(written, w => Assert.Equal(w.Value, File.GetLastWriteTimeUtc(BatchViewLayout.Resolve(_root.Path, w.Key))));
        var (difference, files, _) = PublishedRunComparison.Compare(_root.Path, alone, published);
        Assert.Null(difference);
        Assert.Equal(result.Days.Count, files);
    }

    [Fact]
    public async Task The_run_of_a_coordinator_that_died_is_not_adopted_when_the_inputs_changed()
    {
        AddBoundaries(await ArchiveAsync(FirstWave, perCommit: 3_000));
        var store = new InMemoryRecomputeChunkStore(TimeProvider.System);
        var dead = await DieMidRunAsync(store, new RecomputeRequest());

        // New events and speed flushes past the dead run's watermarks: its chunks are not this run's.
        AddBoundaries(await ArchiveAsync(4_000, perCommit: 1_000, total: FirstWave));
        var result = await ChunkedEngine(store).RunAsync(new RecomputeRequest(), null, CancellationToken.None);

        Assert.NotEqual(dead, result.RunId);
        Assert.Equal(result.RunId, (await Store.LoadAsync(CancellationToken.None))!.RunId);
        Assert.Null(await store.GetRunningSpecAsync(dead, CancellationToken.None));
    }

    /// <summary>
    /// Runs <paramref name="request"/> with a coordinator that dies after its first claim: as a killed process, it never
    /// tells the store that its run ended. Returns the run's id.
    /// </summary>
    private async Task<string> DieMidRunAsync(IRecomputeChunkStore store, RecomputeRequest request)
    {
        var unreported = new DeathUnreported(store);
        using var kill = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ChunkedEngine(unreported).RunAsync(
            request,
            new SynchronousProgress(p =>
            {
                if (p.Stage == "chunks" && p.Completed > 0)
                {
                    kill.Cancel();
                }
            }),
            kill.Token));
        return unreported.RunId!;
    }

    /// <summary>An engine whose coordinator claims one day of a source at a time through <paramref name="store"/>.</summary>
    private RecomputeEngine ChunkedEngine(IRecomputeChunkStore store)
    {
        var options = Options.Create(new RecomputeOptions { MaxDegreeOfParallelism = 3, DaysPerClaim = 1, ChunkPollInterval = TimeSpan.FromMilliseconds(20) });
        var storage = Options.Create(new BatchStorageOptions { DatasetRoot = _root.Path });
        var worker = new ChunkWorker(store, new ChunkExecutor(_catalog, storage, options, new BatchViewWriter(), Lookups), options, TimeProvider.System, NullLogger<ChunkWorker>.Instance);
        return new RecomputeEngine(
            _catalog, storage, options, _boundaries, Store, new BatchViewWriter(), NullLogger<RecomputeEngine>.Instance, TimeProvider.System, lookups: Lookups, chunks: worker);
    }

    /// <summary>The chunk store as a killed coordinator leaves it: every call goes through except the end of its run.</summary>
    private sealed class DeathUnreported(IRecomputeChunkStore store) : IRecomputeChunkStore
    {
        public string? RunId { get; private set; }

        public Task CreateRunAsync(ChunkRunSpec spec, IReadOnlyList<RecomputeChunk> chunks, string coordinator, CancellationToken cancellationToken)
        {
            RunId = spec.RunId;
            return store.CreateRunAsync(spec, chunks, coordinator, cancellationToken);
        }

        public Task<string?> TryAdoptRunAsync(ChunkRunSpec spec, IReadOnlyList<RecomputeChunk> chunks, string coordinator, string? publishedRunId, CancellationToken cancellationToken) =>
            store.TryAdoptRunAsync(spec, chunks, coordinator, publishedRunId, cancellationToken);

        public Task<ChunkRunSpec?> GetRunningSpecAsync(string runId, CancellationToken cancellationToken) => store.GetRunningSpecAsync(runId, cancellationToken);

        public Task<IReadOnlyList<RecomputeChunk>> TryClaimAsync(string runId, int? number, string worker, TimeSpan lease, int maxDays, CancellationToken cancellationToken) =>
            store.TryClaimAsync(runId, number, worker, lease, maxDays, cancellationToken);

        public Task<bool> RenewAsync(string runId, IReadOnlyList<int> numbers, string worker, TimeSpan lease, CancellationToken cancellationToken) =>
            store.RenewAsync(runId, numbers, worker, lease, cancellationToken);

        public Task<bool> CompleteAsync(string runId, IReadOnlyList<ChunkOutcome> outcomes, string worker, CancellationToken cancellationToken) =>
            store.CompleteAsync(runId, outcomes, worker, cancellationToken);

        public Task FailAsync(string runId, IReadOnlyList<int> numbers, string worker, string error, CancellationToken cancellationToken) =>
            store.FailAsync(runId, numbers, worker, error, cancellationToken);

        public Task ReleaseAsync(string runId, IReadOnlyList<int> numbers, string worker, CancellationToken cancellationToken) =>
            store.ReleaseAsync(runId, numbers, worker, cancellationToken);

        public Task<ChunkRunStatus> GetStatusAsync(string runId, CancellationToken cancellationToken) => store.GetStatusAsync(runId, cancellationToken);

        public Task FinishRunAsync(string runId, bool published, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class DyingWorker(IRecomputeChunkStore store) : IRecomputeChunkDispatcher
    {
        public IReadOnlyList<RecomputeChunk> Claimed { get; private set; } = [];

        public async Task DispatchAsync(string runId, IReadOnlyList<RecomputeChunk> chunks, CancellationToken cancellationToken) =>
            Claimed = await store.TryClaimAsync(runId, null, "dead-worker/1", TimeSpan.FromMilliseconds(500), 2, cancellationToken);
    }

    private ManifestStore Store => new(_root.Path);

    private RecomputeEngine Engine(
        IFlushBoundarySource? boundaries = null, LambdaCatalog? catalog = null, TimeProvider? time = null, BatchViewRetention? retention = null, int daysPerClaim = 8) => new(
        catalog ?? _catalog,
        Options.Create(new BatchStorageOptions { DatasetRoot = _root.Path }),
        Options.Create(new RecomputeOptions { MaxDegreeOfParallelism = 3, DaysPerClaim = daysPerClaim }),
        boundaries ?? _boundaries,
        Store,
        new BatchViewWriter(),
        NullLogger<RecomputeEngine>.Instance,
        time ?? TimeProvider.System,
        retention,
        lookups: Lookups);

    /// <summary>The dataset's lookups: none published here, so every lookup view takes its on_missing path in each run.</summary>
    private FileLookupStore Lookups => new(_root.Path, TimeProvider.System);

    private List<string> RunDirectories() =>
        Directory.EnumerateDirectories(BatchViewLayout.ViewsDirectory(_root.Path), "run=*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    /// <summary>What a reader of the current manifest sees: every view's groups, read from the files the manifest names.</summary>
    private async Task<SortedDictionary<string, IReadOnlyList<ViewGroup>>> ReadServedAsync()
    {
        var manifest = (await Store.LoadAsync(CancellationToken.None))!;
        var served = new SortedDictionary<string, IReadOnlyList<ViewGroup>>(StringComparer.Ordinal);
        foreach (var entry in manifest.Views.Values)
        {
            served[entry.View] = await ReadAsync(entry, _catalog.GetView(entry.View));
        }

        return served;
    }

    private static void AssertSameServed(SortedDictionary<string, IReadOnlyList<ViewGroup>> expected, SortedDictionary<string, IReadOnlyList<ViewGroup>> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (view, groups) in expected)
        {
            Assert.NotEmpty(groups);
            Assert.Null(ViewAggregator.FindDifference(groups, actual[view]));
        }
    }

    /// <summary>Archives the next <paramref name="count"/> messages; returns the committed ends.</summary>
    private async Task<IReadOnlyDictionary<int, long>> ArchiveAsync(int count, int perCommit, int? total = null)
    {
        var next = _messages.GroupBy(m => m.Partition).ToDictionary(g => g.Key, g => g.Max(m => m.Offset) + 1);
        var messages = OrderDatasets.Messages(_orders, count, Partitions, seed: 77, firstIndex: _messages.Count, total: total ?? count, nextOffsets: next);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages, perCommit);
        _messages.AddRange(messages);
        return MasterDatasetSnapshot.Load(_root.Path, _orders.Name).CommittedEnds;
    }

    private void AddBoundaries(IReadOnlyDictionary<int, long> ends, int? skipPartition = null)
    {
        var used = ends.Where(e => e.Key != skipPartition).ToDictionary();
        var revenue = used.ToDictionary(e => e.Key, e => e.Value / 700 * 700);
        var status = used.ToDictionary(e => e.Key, e => e.Value / 1_100 * 1_100);
        _boundaries.AddEvery(Revenue, revenue, 700);
        _boundaries.AddEvery(ByStatus, status, 1_100);
    }

    private Task<IReadOnlyList<ViewGroup>> ReadAsync(BatchViewEntry entry, ViewDefinition view) =>
        BatchViewContents.ReadGroupsAsync(new BatchViewReader(_root.Path), entry, view);

    private async Task AssertViewAsync(BatchViewEntry entry, ViewDefinition? view = null)
    {
        view ??= _catalog.GetView(entry.View);
        var groups = await ReadAsync(entry, view);
        var messages = ReferenceEquals(view.Source, _orders) ? _messages : Reparse(view.Source);
        Assert.Null(ViewAggregator.FindDifference(ViewOracle.Aggregate(view, messages, entry.Watermarks).GetGroups(), groups));
        ViewOracle.AssertMatchesPlainComputation(view, messages, entry.Watermarks, groups);
    }

    private List<OrderMessage> Reparse(SourceDefinition source)
    {
        var parser = new Lambda.Shared.Events.EventParser(source);
        return _messages.Select(m => m with { Event = parser.TryParse(m.Json, out var record, out _) ? record : null }).ToList();
    }

    private static void AssertSame(BatchViewEntry? expected, BatchViewEntry? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected with { Watermarks = actual.Watermarks, Days = actual.Days }, actual);
        Assert.Equal(expected.Watermarks.OrderBy(w => w.Key), actual.Watermarks.OrderBy(w => w.Key));
        Assert.Equal(expected.Days, actual.Days);
    }

    private sealed class SynchronousProgress(Action<RecomputeProgress> report) : IProgress<RecomputeProgress>
    {
        public void Report(RecomputeProgress value) => report(value);
    }
}
