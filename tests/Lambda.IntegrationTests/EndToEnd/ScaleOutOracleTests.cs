using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Dataset;
using Lambda.Testing;
using Lambda.Testing.Oracles;
using Npgsql;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// Issue #15's "done when" on the real stack: the end-to-end oracle (<see cref="EndToEndOracle"/>, the catalog and streams
/// of <see cref="EndToEndOracleTests"/>, smaller: 60,000 orders and 12,000 payments over three days, late events of day one
/// in the last third) with every service on object storage (<c>Storage:Kind=s3</c>: the stack's s3rver under a fresh key
/// prefix, the commit points in a PostgreSQL schema of the run's own), two speed layers in one group, two archivers in one
/// group (both fenced, 6 s sessions), two batch workers sharing one Hangfire schema, and two serving instances. One of
/// each kind is SIGKILLed once: a speed layer and an archiver while the second third is being produced (the survivors take
/// their partitions), a serving instance after the first check (a new one with an empty root takes its place), and the
/// batch worker that is not coordinating while it holds a chunk of the final recompute (the coordinator redoes it once its
/// lease ran out). A full recompute requested through the serving admin API, split into chunks of one source-day that both
/// workers claim, runs after two thirds and at the end. Random queries, sliding windows among them, are asked of both
/// serving instances: every answer equals the oracle computed from the raw JSON, and both answer identically. The master
/// dataset must be on the object store: its commits are rows of <c>master_commits</c>, its files objects under
/// <c>master/</c>, and no <c>_commits</c> directory exists under any local root. Every service has a local root of its own,
/// the two batch workers too: each chunk's day file is uploaded by the worker that wrote it, so the one that publishes
/// finds the other's files in the bucket, and the workers' chunk runs are keyed by the bucket, not a local path (README,
/// "Object storage").
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ScaleOutOracleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int OrderCount = 60_000;
    private const int PaymentCount = 12_000;
    private const int Partitions = 16;
    private const int QueryCount = 30;
    private const string QueryKey = "scale-out-query-key";
    private const string AdminKey = "scale-out-admin-key";
    private const string SessionTimeout = "00:00:06";
    private static readonly TimeSpan ConvergenceTimeout = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private readonly Dictionary<string, long[]> _produced = new(StringComparer.Ordinal);
    private PlatformRig _rig = null!;
    private S3TestStore _s3 = null!;
    private Catalog _catalog = null!;
    private string _postgres = "";
    private string _hangfireSchema = "";

    private static readonly string[] WorkerNames = ["worker-a", "worker-b"];

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("scale-out", Partitions, EndToEndCatalog.Sources, EndToEndCatalog.Yaml, TimeSpan.FromSeconds(60));
        _catalog = CatalogLoader.LoadFile(_rig.CatalogPath);
        _s3 = S3TestStore.Create();

        // master_commits, batch_manifests, lookup_versions, the chunk and fence tables: in a schema of this run's own.
        _postgres = new NpgsqlConnectionStringBuilder(_rig.Stack.PostgresConnectionString) { SearchPath = await _rig.CreateSchemaAsync("storage") }.ConnectionString;
        _hangfireSchema = _rig.Schema("hangfire");
        foreach (var source in EndToEndCatalog.Sources)
        {
            _produced[source] = new long[Partitions];
        }
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _s3.DisposeAsync();
    }

    [Fact]
    public async Task Every_answer_of_both_serving_instances_equals_the_oracle_with_one_instance_of_each_kind_SIGKILLed_on_object_storage()
    {
        var clock = Stopwatch.StartNew();
        var orders = OrderStream.Generate(OrderCount, seed: 20261207);
        var payments = PaymentStream.Generate(PaymentCount, seed: 20261208);

        var servingA = StartServing("serving-a");
        var servingB = StartServing("serving-b");
        await _rig.WaitForHealthAsync(servingA.Admin);
        await _rig.WaitForHealthAsync(servingB.Admin);
        Assert.Equal(1, await PlatformRig.PublishLookupAsync(servingA.Admin, "countries", "application/json", ReferenceRows.CountriesJson(ReferenceRows.Countries)));
        Assert.Equal(1, await PlatformRig.PublishLookupAsync(servingA.Admin, "fx_rates", "text/csv", ReferenceRows.FxRatesCsv(ReferenceRows.FxRates)));

        var speeds = new[] { StartSpeed("speed-1"), StartSpeed("speed-2") };
        var archivers = new[] { StartArchiver("archiver-1"), StartArchiver("archiver-2") };
        var workers = WorkerNames.Select(StartWorker).ToArray();
        await PlatformRig.Eventually(
            () => Task.FromResult(Running() && speeds.All(s => s.HasWritten("Assigned ")) && archivers.All(a => a.HasWritten("assigned partitions ["))),
            "both speed layers and both archivers to hold partitions",
            TimeSpan.FromSeconds(120),
            _rig.Tails);
        output.WriteLine($"{clock.Elapsed:mm\\:ss} eight services up, partitions shared");

        // The first third, then the second while the first speed layer and the first archiver are SIGKILLed.
        await ProduceAsync(orders, payments, 0, 1, 3);
        var producing = Task.Run(() => ProduceAsync(orders, payments, 1, 2, 3));
        await Task.Delay(500);
        output.WriteLine($"{clock.Elapsed:mm\\:ss} SIGKILL mid-stream: speed layer {speeds[0].Id} ({Assignments(speeds[0])}) and archiver {archivers[0].Id} ({Assignments(archivers[0])})");
        _rig.Kill(speeds[0]);
        _rig.Kill(archivers[0]);
        var killed = Stopwatch.StartNew();
        await producing;
        await PlatformRig.Eventually(
            () => Task.FromResult(Running() && HoldsEveryPartition(speeds[1], archivers[1])),
            "the surviving speed layer and archiver to hold every partition",
            TimeSpan.FromSeconds(90),
            () => $"{Assignments(speeds[1])}; {Assignments(archivers[1])}\n{_rig.Tails()}");
        output.WriteLine($"{clock.Elapsed:mm\\:ss} the survivors hold every partition {killed.Elapsed.TotalSeconds:F1} s after the SIGKILLs (session timeout 6 s)");
        await WaitForConvergenceAsync("two thirds (the survivors took the killed members' partitions)");

        var queries = OracleQuery.Generate(_catalog.Views, OrderStream.Start, 3, QueryCount, seed: 17)
            .Concat(OracleQuery.GenerateWindowed(_catalog.Views, OrderStream.Start, 3, seed: 19))
            .ToList();
        var firstRun = await RecomputeAsync(servingB.Admin, workers, killHelper: false, clock);
        await WaitForRunAsync([servingA.Query, servingB.Query], queries[0], firstRun);

        await ProduceAsync(orders, payments, 4, 5, 6);
        await WaitForConvergenceAsync("five sixths");
        await CheckBothAsync(servingA.Query, servingB.Query, queries, orders, payments, 5, firstRun, "after the first recompute, five sixths in");

        output.WriteLine($"{clock.Elapsed:mm\\:ss} SIGKILL serving-a (pid {servingA.Process.Id}); serving-c starts with an empty root");
        _rig.Kill(servingA.Process);
        var servingC = StartServing("serving-c");
        await ProduceAsync(orders, payments, 5, 6, 6);
        await WaitForConvergenceAsync("all events");
        await WaitForRunAsync([servingC.Query], queries[0], firstRun);
        var beforeFinal = await CheckBothAsync(servingC.Query, servingB.Query, queries, orders, payments, 6, firstRun, "after the first recompute, all events in");

        var finalRun = await RecomputeAsync(servingB.Admin, workers, killHelper: true, clock);
        await WaitForRunAsync([servingC.Query, servingB.Query], queries[0], finalRun);
        var afterFinal = await CheckBothAsync(servingC.Query, servingB.Query, queries, orders, payments, 6, finalRun, "after the final recompute");
        for (var i = 0; i < queries.Count; i++)
        {
            Assert.True(beforeFinal[i] == afterFinal[i], $"query {queries[i]} answered differently after the final recompute");
        }

        await AssertMasterDatasetOnObjectStorageAsync();
        output.WriteLine($"{clock.Elapsed:mm\\:ss} done");
    }

    private Dictionary<string, string> Settings(string root) => new(_rig.Environment())
    {
        ["Storage__Kind"] = "s3",
        ["Storage__ServiceUrl"] = _s3.Options.ServiceUrl!,
        ["Storage__Bucket"] = _s3.Options.Bucket!,
        ["Storage__Prefix"] = _s3.Options.Prefix,
        ["Storage__AccessKey"] = _s3.Options.AccessKey!,
        ["Storage__SecretKey"] = _s3.Options.SecretKey!,
        ["ConnectionStrings__Postgres"] = _postgres,
        ["Batch__DatasetRoot"] = root,
        ["Batch__Schedule__HangfireSchema"] = _hangfireSchema,
        ["Serving__HangfireSchema"] = _hangfireSchema,
    };

    private (ServiceProcess Process, HttpClient Query, HttpClient Admin) StartServing(string name)
    {
        var port = FreePort.Next();
        var process = _rig.StartServing(
            port,
            new Dictionary<string, string[]> { [QueryKey] = ["query"], [AdminKey] = ["admin"] },
            // Answers to the queries asked after a recompute are refreshed with only the speed flushes stored since.
            new Dictionary<string, string>(Settings(Path.Combine(_rig.Root, name))) { ["Serving__QueryResultRebase"] = "01:00:00" });
        return (process, Client(port, QueryKey), Client(port, AdminKey));
    }

    private ServiceProcess StartSpeed(string name) =>
        _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(Settings(Path.Combine(_rig.Root, name)))
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["SpeedLayer__GroupId"] = $"scale-out-speed-{_rig.RunId}",
            ["SpeedLayer__Fencing"] = "true",
            ["SpeedLayer__SessionTimeout"] = SessionTimeout,
            ["Logging__LogLevel__Lambda"] = "Information",
        });

    private ServiceProcess StartArchiver(string name) =>
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["archive"], new(Settings(Path.Combine(_rig.Root, name)))
        {
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"scale-out-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
            ["Batch__Archiver__SessionTimeout"] = SessionTimeout,
            ["Batch__Archiver__Fencing"] = "true",
            ["Logging__LogLevel__Lambda"] = "Information",
        });

    // Claims of one source-day (6 claims over 3 days), each at least 3 s: both workers get some, and the one killed
    // holds a claim long enough to be killed in it; a 5 s lease lets the coordinator redo it soon after.
    private ServiceProcess StartWorker(string name) =>
        _rig.StartBatchWorker(new Dictionary<string, string>(Settings(Path.Combine(_rig.Root, name)))
        {
            ["Batch__Recompute__ChunkDelay"] = "00:00:03",
            ["Batch__Recompute__ChunkLease"] = "00:00:05",
            ["Batch__Recompute__ChunkPollInterval"] = "00:00:00.200",
            ["Batch__Recompute__DaysPerClaim"] = "1",
        });

    /// <summary>The partitions <paramref name="service"/> (a speed layer or an archiver) last logged as assigned, per topic or source.</summary>
    private string Assignments(ServiceProcess service) =>
        string.Join(", ", EndToEndCatalog.Sources.Select(source =>
            service.LastWritten($" partition(s) of {_rig.Topics[source]} in offset epoch") ?? service.LastWritten($"Archiver {source}: assigned partitions [") ?? $"{source}: none"));

    /// <summary>
    /// True when the last assignment <paramref name="speed"/> and <paramref name="archiver"/> logged, of every source, is every
    /// partition (the eager assignor logs the whole assignment after each rebalance).
    /// </summary>
    private bool HoldsEveryPartition(ServiceProcess speed, ServiceProcess archiver) =>
        EndToEndCatalog.Sources.All(source =>
            speed.LastWritten($" partition(s) of {_rig.Topics[source]} in offset epoch")?.Contains($"Assigned {Partitions} partition(s)", StringComparison.Ordinal) == true
            && archiver.LastWritten($"Archiver {source}: assigned partitions [")?.Contains(
                $"assigned partitions [{string.Join(",", Enumerable.Range(0, Partitions))}]", StringComparison.Ordinal) == true);

    private static HttpClient Client(int port, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private bool Running()
    {
        foreach (var service in _rig.Services)
        {
            service.EnsureRunning();
        }

        return true;
    }

    /// <summary>Produces the parts <paramref name="from"/> to <paramref name="to"/> of <paramref name="parts"/> of both streams.</summary>
    private async Task ProduceAsync(IReadOnlyList<byte[]> orders, IReadOnlyList<byte[]> payments, int from, int to, int parts)
    {
        foreach (var (source, events) in new[] { ("orders", orders), ("payments", payments) })
        {
            var first = events.Count * from / parts;
            var ends = await _rig.ProduceAsync(Partitions, events.Skip(first).Take((events.Count * to / parts) - first).ToList(), source);
            lock (_produced)
            {
                var produced = _produced[source];
                for (var p = 0; p < Partitions; p++)
                {
                    produced[p] = Math.Max(produced[p], ends[p]);
                }
            }
        }
    }

    private Task WaitForConvergenceAsync(string stage) =>
        _rig.WaitForConvergenceAsync(_catalog.Views, _produced, source => PlatformRig.MasterCommitEndsAsync(_postgres, source), stage, ConvergenceTimeout, output.WriteLine);

    /// <summary>
    /// Requests a full recompute through the serving admin API and waits until the workers published it; with
    /// <paramref name="killHelper"/>, SIGKILLs the worker that is not coordinating while it holds a chunk, and checks the
    /// coordinator redid what it held. Returns the run id.
    /// </summary>
    private async Task<string> RecomputeAsync(HttpClient admin, ServiceProcess[] workers, bool killHelper, Stopwatch clock)
    {
        var previous = (await LatestRunAsync())?.RunId;
        var started = Stopwatch.StartNew();
        using (var content = new StringContent("""{"mode":"full"}""", Encoding.UTF8, "application/json"))
        using (var response = await admin.PostAsync("api/admin/batch/recompute", content))
        {
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"recompute answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        (string RunId, string Coordinator)? run = null;
        await PlatformRig.Eventually(
            async () => Running() && (run = await LatestRunAsync()) is { } latest && latest.RunId != previous,
            "a worker to start coordinating the recompute",
            RunTimeout,
            _rig.Tails);
        var (runId, coordinator) = run!.Value;
        var coordinating = workers.Single(w => coordinator.EndsWith($"/{w.Id}", StringComparison.Ordinal));
        var helper = workers.Single(w => w != coordinating);
        var helperName = coordinator[..coordinator.LastIndexOf('/')] + $"/{helper.Id}";

        int[] held = [];
        if (killHelper)
        {
            await PlatformRig.Eventually(
                async () =>
                {
                    held = (await ChunksAsync(runId)).Where(c => c.Worker == helperName && c.State == "running").Select(c => c.Number).ToArray();
                    Assert.True(held.Length > 0 || await RunStateAsync(runId) == "running", $"run {runId} ended before {helperName} claimed a chunk");
                    return Running() && held.Length > 0;
                },
                $"worker {helperName} to claim a chunk of run {runId}",
                RunTimeout,
                _rig.Tails);
            _rig.Kill(helper);

            // What it still held when it died (a chunk it finished in the instant before the kill is not a takeover).
            held = (await ChunksAsync(runId)).Where(c => c.Worker == helperName && c.State == "running").Select(c => c.Number).ToArray();
            Assert.True(held.Length > 0, "the helper finished its chunks before the kill landed; nothing was killed mid-chunk");
            output.WriteLine($"{clock.Elapsed:mm\\:ss} SIGKILL batch worker {helperName} holding chunks [{string.Join(", ", held)}] of run {runId}");
        }

        await PlatformRig.Eventually(
            async () =>
            {
                var state = await RunStateAsync(runId);
                Assert.True(state is "running" or "published", $"run {runId} ended {state}:\n{_rig.Tails()}");
                return Running() && state == "published";
            },
            $"run {runId} to publish",
            RunTimeout,
            _rig.Tails);
        var chunks = await ChunksAsync(runId);
        Assert.True(chunks.Count >= _catalog.Views.Count * 2, $"run {runId} has {chunks.Count} chunks");
        Assert.All(chunks, c => Assert.Equal("done", c.State));
        Assert.Contains(chunks, c => c.Worker == coordinator);
        if (!killHelper)
        {
            Assert.True(chunks.Any(c => c.Worker == helperName), $"the helper {helperName} did no chunk of run {runId}:\n{_rig.Tails()}");
        }

        Assert.All(chunks.Where(c => held.Contains(c.Number)), c => Assert.True(c.Worker == coordinator && c.Claims >= 2, $"chunk {c.Number} was not taken over: {c}"));
        output.WriteLine($"{clock.Elapsed:mm\\:ss} run {runId} published {started.Elapsed.TotalSeconds:F1} s after the request; chunks by worker: "
            + string.Join(", ", chunks.GroupBy(c => c.Worker).Select(g => $"{g.Key}={g.Count()}")));
        return runId;
    }

    private async Task<(string RunId, string Coordinator)?> LatestRunAsync()
    {
        await using var connection = new NpgsqlConnection(_postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT run_id, coordinator FROM recompute_chunk_runs ORDER BY created_at DESC LIMIT 1", connection);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            return await reader.ReadAsync() ? (reader.GetString(0), reader.GetString(1)) : null;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The first recompute creates the table.
            return null;
        }
    }

    private async Task<string?> RunStateAsync(string runId)
    {
        await using var connection = new NpgsqlConnection(_postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT state FROM recompute_chunk_runs WHERE run_id = @run", connection);
        command.Parameters.AddWithValue("run", runId);
        return (string?)await command.ExecuteScalarAsync();
    }

    private async Task<IReadOnlyList<(int Number, string State, string? Worker, int Claims)>> ChunksAsync(string runId)
    {
        await using var connection = new NpgsqlConnection(_postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT number, state, worker, claims FROM recompute_chunks WHERE run_id = @run ORDER BY number", connection);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, string, string?, int)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt32(3)));
        }

        return rows;
    }

    /// <summary>Waits until each serving instance's answer to <paramref name="probe"/> merges the batch run <paramref name="runId"/>.</summary>
    private async Task WaitForRunAsync(HttpClient[] servings, OracleQuery probe, string runId)
    {
        foreach (var serving in servings)
        {
            await _rig.WaitForHealthAsync(serving);
            string? answered = null;
            await PlatformRig.Eventually(
                async () =>
                {
                    using var response = await serving.GetAsync($"api/views/{probe.View.Name}?{probe.ToQueryString()}");
                    using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    answered = document.RootElement.TryGetProperty("watermark", out var watermark) ? watermark.GetProperty("run_id").GetString() : null;
                    return Running() && answered == runId;
                },
                $"{serving.BaseAddress} to answer from run {runId}",
                TimeSpan.FromSeconds(60),
                () => $"it answers from run {answered}");
        }
    }

    /// <summary>
    /// Asks every query of both serving instances: each answer equals the oracle of the first <paramref name="sixths"/>
    /// sixths of the events and merges run <paramref name="runId"/>, and both instances answer identically. Returns the answers.
    /// </summary>
    private async Task<string[]> CheckBothAsync(
        HttpClient first, HttpClient second, IReadOnlyList<OracleQuery> queries, IReadOnlyList<byte[]> orders, IReadOnlyList<byte[]> payments, int sixths, string runId, string stage)
    {
        var oracle = EndToEndOracle.Build(_catalog, orders.Take(orders.Count * sixths / 6).ToArray(), payments.Take(payments.Count * sixths / 6).ToArray());
        var answers = new List<string[]>();
        foreach (var serving in new[] { first, second })
        {
            var runs = new HashSet<string>(StringComparer.Ordinal);
            answers.Add(await EndToEndOracle.CheckAllAsync(serving, queries, oracle, $"{stage} ({serving.BaseAddress})", runs, output));
            Assert.Equal(runId, Assert.Single(runs));
        }

        for (var i = 0; i < queries.Count; i++)
        {
            Assert.True(answers[0][i] == answers[1][i], $"{stage}: {queries[i]} answered differently by the two serving instances:\n{answers[0][i]}\n{answers[1][i]}");
        }

        return answers[0];
    }

    /// <summary>
    /// The master dataset is on the object store, not on a local root: its commits are rows of <c>master_commits</c>, every
    /// object a row names is in the bucket, no root holds a <c>_commits</c> directory, and the manifests are objects.
    /// </summary>
    private async Task AssertMasterDatasetOnObjectStorageAsync()
    {
        await using var connection = new NpgsqlConnection(_postgres);
        await connection.OpenAsync();
        foreach (var source in EndToEndCatalog.Sources)
        {
            await using var select = new NpgsqlCommand("SELECT array_agg(k) FROM master_commits, unnest(object_keys) AS k WHERE source = @source", connection);
            select.Parameters.AddWithValue("source", source);
            var named = await select.ExecuteScalarAsync() as string[] ?? [];
            await using var rows = new NpgsqlCommand("SELECT count(*) FROM master_commits WHERE source = @source", connection);
            rows.Parameters.AddWithValue("source", source);
            var commits = (long)(await rows.ExecuteScalarAsync())!;
            var stored = await ObjectKeysAsync($"{MasterDatasetLayout.MasterDirectoryName}/{source}/");
            output.WriteLine($"master dataset of {source}: {commits} commit rows in master_commits naming {named.Length} objects; {stored.Count} objects under master/{source}/");
            Assert.True(commits > 0 && named.Length > 0, $"no commit row of {source} in master_commits");
            Assert.Empty(named.Except(stored));
        }

        Assert.Empty(Directory.GetDirectories(_rig.Root, "_commits", SearchOption.AllDirectories));
        Assert.True((await ObjectKeysAsync(ObjectStoreManifestStore.ManifestPrefix)).Count >= 2, "the two runs' manifests are not objects in the store");
        Assert.All(WorkerNames, name => Assert.False(File.Exists(BatchViewLayout.ManifestPath(Path.Combine(_rig.Root, name))), $"the manifest was written to {name}'s local root"));
    }

    private async Task<HashSet<string>> ObjectKeysAsync(string prefix)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in _s3.Store.ListAsync(prefix, CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }
}
