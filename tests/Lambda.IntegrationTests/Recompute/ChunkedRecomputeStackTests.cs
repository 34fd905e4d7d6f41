using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Lambda.Testing.Oracles;
using Npgsql;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.Recompute;

/// <summary>
/// A recompute split into chunks (view × day) on the real stack: two batch-layer servers share one Hangfire schema and
/// one dataset root; a full recompute enqueued once is worked by both (every chunk made slow by the test-only
/// <c>Batch:Recompute:ChunkDelay</c>); the server that is not coordinating is SIGKILLed while it holds a chunk after it
/// finished another. The run must still publish once, its progress must show in <c>batch_runs</c>, the serving layer's
/// answers over the published run must equal the test's oracle, and a full recompute by one worker alone over the same
/// archived events must publish the same files, byte for byte (run id aside, which names the files).
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ChunkedRecomputeStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int EventCount = 24_000;
    private const int Partitions = 4;
    private const int Days = 8;
    private const string Queried = "orders_by_status";
    private const string QueryKey = "chunks-query-key";
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan RunBound = TimeSpan.FromMinutes(5);

    private PlatformRig _rig = null!;
    private string _hangfireSchema = "";

    private static string Catalog(string topic) => PlatformRig.RevenueByCountryCatalog(topic) + $$"""

          {{Queried}}:
            source: orders
            granularity: hour
            dimensions: [status, country]
            measures: { orders: count, smallest: min(amount), avg_amount: avg(amount), customers: distinct(user_id) }
        """;

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("chunks", Partitions, Catalog, TimeSpan.FromSeconds(30));
        _hangfireSchema = _rig.Schema("hangfire");
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task Two_workers_share_a_recompute_one_killed_mid_chunk_and_the_run_publishes_once_like_the_oracle_and_one_workers_run()
    {
        var events = OrderStream.GenerateOverDays(EventCount, seed: 20261207, Days);
        var catalog = CatalogLoader.LoadFile(_rig.CatalogPath);
        var environment = new Dictionary<string, string>(_rig.Environment())
        {
            // A schema of this run's own: no other batch server on the stack takes its jobs.
            ["Batch__Schedule__HangfireSchema"] = _hangfireSchema,
            ["Batch__Recompute__ChunkLease"] = "00:00:05",
            ["Batch__Recompute__ChunkPollInterval"] = "00:00:00.200",
            // Claims of two days (both views): four claims over the 8 days, so both workers get some and the helper is
            // killed holding a claim of several chunks.
            ["Batch__Recompute__DaysPerClaim"] = "2",
        };
        _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["SpeedLayer__GroupId"] = $"chunks-speed-{_rig.RunId}",
            ["SpeedLayer__FlushInterval"] = "00:00:00.500",
        });
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["archive"], new(environment)
        {
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"chunks-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
        });
        var produced = await _rig.ProduceAsync(Partitions, events);
        await WaitForConvergenceAsync(catalog.Views, produced);

        // Two workers on one Hangfire schema and one dataset root; each claim (of one source and its days) takes at least 3 s.
        var workers = new[] { StartWorker(environment), StartWorker(environment) };
        await ServiceProcess.RunToEndAsync(
            Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute", "--full", "--enqueue"], environment, TimeSpan.FromSeconds(120));

        string runId = "", coordinator = "";
        await PlatformRig.Eventually(
            async () =>
            {
                EnsureRunning();
                (runId, coordinator) = await ScalarAsync<(string, string)?>(
                    "SELECT run_id, coordinator FROM recompute_chunk_runs WHERE dataset = @dataset ORDER BY created_at DESC LIMIT 1",
                    r => (r.GetString(0), r.GetString(1))) ?? ("", "");
                return runId.Length > 0;
            },
            "a worker to start coordinating the run",
            TimeSpan.FromSeconds(120),
            Tails);
        var coordinating = workers.Single(w => coordinator.EndsWith($"/{w.Id}", StringComparison.Ordinal));
        var helper = workers.Single(w => w != coordinating);
        var helperName = coordinator[..coordinator.LastIndexOf('/')] + $"/{helper.Id}";
        output.WriteLine($"run {runId}: coordinator {coordinator}, helper {helperName}");

        // Kill the helper once it finished a chunk and holds another; meanwhile the coordinator's batch_runs row shows the count.
        var stages = new HashSet<string>(StringComparer.Ordinal);
        int[] held = [];
        await PlatformRig.Eventually(
            async () =>
            {
                EnsureRunning();
                if (await ScalarAsync("SELECT stage FROM batch_runs WHERE host = @host ORDER BY started_at DESC LIMIT 1", r => r.IsDBNull(0) ? null : r.GetString(0), coordinator) is { } stage)
                {
                    stages.Add(stage);
                }

                var chunks = await ChunksAsync(runId);
                held = chunks.Where(c => c.Worker == helperName && c.State == "running").Select(c => c.Number).ToArray();
                return held.Length > 0 && chunks.Any(c => c.Worker == helperName && c.State == "done");
            },
            "the helper to finish a chunk and claim another",
            RunBound,
            Tails);
        _rig.Kill(helper);
        var killedAt = Stopwatch.StartNew();
        // What it still held when it died (a chunk it finished in the instant before the kill is not a takeover).
        held = (await ChunksAsync(runId)).Where(c => c.Worker == helperName && c.State == "running").Select(c => c.Number).ToArray();
        Assert.True(held.Length > 0, "the helper finished its chunks before the kill landed; nothing was killed mid-chunk");
        output.WriteLine($"SIGKILLed the helper holding chunks [{string.Join(", ", held)}]");

        await PlatformRig.Eventually(
            async () =>
            {
                EnsureRunning();
                if (await ScalarAsync("SELECT stage FROM batch_runs WHERE host = @host ORDER BY started_at DESC LIMIT 1", r => r.IsDBNull(0) ? null : r.GetString(0), coordinator) is { } stage)
                {
                    stages.Add(stage);
                }

                return await ScalarAsync("SELECT state FROM recompute_chunk_runs WHERE run_id = @run", r => r.GetString(0), runId) == "published";
            },
            "the run to publish after the kill",
            RunBound,
            Tails);
        output.WriteLine($"published {killedAt.Elapsed.TotalSeconds:F1} s after the kill; stages seen: {string.Join(", ", stages.Order())}");

        var final = await ChunksAsync(runId);
        Assert.Equal(catalog.Views.Count * Days, final.Count);
        Assert.All(final, c => Assert.Equal("done", c.State));
        Assert.Contains(final, c => c.Worker == helperName);
        Assert.Contains(final, c => c.Worker == coordinator);
        Assert.All(final.Where(c => held.Contains(c.Number)), c => Assert.True(c.Worker == coordinator && c.Claims >= 2, $"chunk {c.Number} was not taken over: {c}"));
        Assert.Contains(stages, s => s.StartsWith("chunks ", StringComparison.Ordinal) && s.EndsWith($"/{final.Count}", StringComparison.Ordinal));
        var manifests = new ManifestStore(_rig.Root);
        var twoWorkers = (await manifests.LoadAsync(CancellationToken.None))!;
        Assert.Equal(runId, twoWorkers.RunId);
        output.WriteLine($"chunks by worker: {string.Join(", ", final.GroupBy(c => c.Worker).Select(g => $"{g.Key}={g.Count()}"))}");

        // The serving layer's answers over the published run equal the oracle.
        var oracle = new JsonViewOracle(catalog.GetView(Queried), _ => true);
        foreach (var json in events)
        {
            oracle.Add(json);
        }

        using var serving = StartServing(environment);
        string? answerDifference = "(no answer yet)";
        await PlatformRig.Eventually(
            async () =>
            {
                var (answerRun, groups) = await QueryAsync(serving);
                answerDifference = answerRun == runId ? oracle.FindDifference(groups) : $"the answer merges run {answerRun}, not {runId}";
                return answerDifference is null;
            },
            "the answers over the published run to equal the oracle",
            TimeSpan.FromSeconds(60),
            () => answerDifference ?? "");

        // One worker alone (the command line's in-process recompute, no server left) over the same archived events, all
        // 8 days in one claim: a day file does not depend on the days claimed with it.
        _rig.Kill(coordinating);
        await ServiceProcess.RunToEndAsync(
            Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute", "--full"],
            new Dictionary<string, string>(environment) { ["Batch__Recompute__ChunkDelay"] = "00:00:00", ["Batch__Recompute__DaysPerClaim"] = "8" }, TimeSpan.FromSeconds(180));
        var oneWorker = (await manifests.LoadAsync(CancellationToken.None))!;
        Assert.NotEqual(runId, oneWorker.RunId);
        Assert.Single((await ChunksAsync(oneWorker.RunId)).Select(c => c.Worker).Distinct());
        var (difference, files, bytes) = PublishedRunComparison.Compare(_rig.Root, twoWorkers, oneWorker);
        Assert.Null(difference);
        Assert.True(files >= Days, $"only {files} files compared");
        output.WriteLine($"{files} day files ({bytes} bytes) of run {twoWorkers.RunId} (two workers) equal those of run {oneWorker.RunId} (one worker)");
    }

    private ServiceProcess StartWorker(Dictionary<string, string> environment) =>
        _rig.StartBatchWorker(new Dictionary<string, string>(environment) { ["Batch__Recompute__ChunkDelay"] = "00:00:03" });

    private HttpClient StartServing(Dictionary<string, string> environment)
    {
        var port = FreePort.Next();
        _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Serving__ApiKeys__0__Key"] = QueryKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "query",
        });
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", QueryKey);
        return client;
    }

    /// <summary>The queried view over the days, per hour and every dimension, and the batch run the answer merged.</summary>
    private static async Task<(string? RunId, IReadOnlyList<(long Bucket, IReadOnlyList<string> Dimensions, IReadOnlyList<OracleActual> Measures)> Groups)> QueryAsync(HttpClient serving)
    {
        var from = OrderStream.Start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var to = OrderStream.Start.AddDays(Days).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        try
        {
            using var response = await serving.GetAsync($"api/views/{Queried}?from={from}&to={to}&granularity=hour&group_by=status,country");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{Queried} answered {(int)response.StatusCode}: {body}");
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var groups = root.GetProperty("rows").EnumerateArray().Select(row => (
                DateTimeOffset.Parse(row.GetProperty("bucket").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                (IReadOnlyList<string>)[row.GetProperty("status").GetString()!, row.GetProperty("country").GetString()!],
                (IReadOnlyList<OracleActual>)[.. new[] { "orders", "smallest", "avg_amount", "customers" }.Select(m => OracleActual.FromJson(row.GetProperty(m)))]))
                .ToArray();
            return (root.GetProperty("watermark").GetProperty("run_id").GetString(), groups);
        }
        catch (HttpRequestException)
        {
            // Kestrel is not listening yet.
            return (null, []);
        }
    }

    private sealed record ChunkRow(int Number, string State, string? Worker, int Claims);

    private async Task<IReadOnlyList<ChunkRow>> ChunksAsync(string runId)
    {
        await using var connection = new NpgsqlConnection(_rig.Stack.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT number, state, worker, claims FROM recompute_chunks WHERE run_id = @run ORDER BY number", connection);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<ChunkRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new ChunkRow(reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt32(3)));
        }

        return rows;
    }

    /// <summary>
    /// The first row's value of <paramref name="sql"/> (parameters: <c>@dataset</c>, and <c>@host</c> or <c>@run</c> =
    /// <paramref name="argument"/>); default when there is none or the table does not exist yet.
    /// </summary>
    private async Task<T?> ScalarAsync<T>(string sql, Func<NpgsqlDataReader, T> read, string? argument = null)
    {
        await using var connection = new NpgsqlConnection(_rig.Stack.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("dataset", Path.GetFullPath(_rig.Root));
        command.Parameters.AddWithValue("host", argument ?? "");
        command.Parameters.AddWithValue("run", argument ?? "");
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            return await reader.ReadAsync() ? read(reader) : default;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The first run on this database creates the tables.
            return default;
        }
    }

    private void EnsureRunning()
    {
        foreach (var service in _rig.Services)
        {
            service.EnsureRunning();
        }
    }

    private string Tails() => string.Join(System.Environment.NewLine, _rig.Services.Select(s => $"--- {s.Name}:{System.Environment.NewLine}{s.Tail}"));

    /// <summary>Polls until the views' speed tables and the archive's commit log hold every produced offset.</summary>
    private async Task WaitForConvergenceAsync(IReadOnlyList<ViewDefinition> views, long[] produced)
    {
        var clickHouse = new ClickHouseClient(_rig.Http, new ClickHouseOptions { Url = _rig.Stack.ClickHouseUrl, Database = _rig.Database });
        await PlatformRig.Eventually(
            async () =>
            {
                EnsureRunning();
                var archived = _rig.ArchivedEnds();
                foreach (var view in views)
                {
                    var max = await SpeedTableQueries.ReadMaxOffsetsAsync(clickHouse, SpeedTableSchema.For(view), null, CancellationToken.None);
                    if (Enumerable.Range(0, Partitions).Any(p => max.GetValueOrDefault(p, -1) + 1 < produced[p]))
                    {
                        return false;
                    }
                }

                return Enumerable.Range(0, Partitions).All(p => archived.GetValueOrDefault(p) >= produced[p]);
            },
            "the speed tables and the archive to hold every event",
            Convergence,
            Tails);
    }
}
