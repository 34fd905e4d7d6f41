using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Lambda.IntegrationTests.Dashboard;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Deployment;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Lambda.Testing.Oracles;
using Npgsql;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.Kappa;

/// <summary>
/// Kappa mode (<c>Lambda:Mode = kappa</c>) on the real stack, with the built services: a view built by the speed layer
/// replaying the archived master dataset equals the test's own oracle (computed from the raw JSON events), also when the
/// replay is SIGKILLed half-way and restarted; and a deployment switched from Lambda to Kappa and back keeps answering
/// like the oracle.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class KappaModeStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Partitions = 8;
    private const string View = "paid_by_country";
    private const string QueryKey = "kappa-query-key";
    private const string AdminKey = "kappa-admin-key";
    private static readonly TimeSpan Convergence = TimeSpan.FromMinutes(4);

    private PlatformRig _rig = null!;
    private string _hangfireSchema = "";

    private static string CatalogOf(string topic) => $$"""
        sources:
          orders:
            topic: {{topic}}
            time: ts
            key: user_id
            fields: { order_id: string, user_id: string, country: string, amount: "decimal(18,2)", status: string }
        views:
          {{View}}:
            source: orders
            where: status = 'paid'
            granularity: hour
            dimensions: [country]
            measures: { orders: count, revenue: sum(amount), buyers: distinct(user_id) }
        """;

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("kappa", Partitions, CatalogOf, TimeSpan.FromSeconds(30));
        _hangfireSchema = _rig.Schema("hangfire");
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task A_replay_killed_part_way_resumes_and_the_rebuilt_view_equals_the_oracle()
    {
        var events = OrderStream.Generate(80_000, seed: 20261212);
        var environment = Environment();
        var archiver = StartArchiver(environment);
        var produced = await _rig.ProduceAsync(Partitions, events);
        await PlatformRig.Eventually(
            () => Task.FromResult(Enumerable.Range(0, Partitions).All(p => _rig.ArchivedEnds().GetValueOrDefault(p) >= produced[p])),
            "the archive to hold every event", Convergence, () => archiver.Tail);
        _rig.Kill(archiver);

        // No Kafka at all for the Kappa speed layer: whatever its tables hold comes from the replay of the archive.
        var kappa = Kappa(environment);
        kappa["Kafka__BootstrapServers"] = "127.0.0.1:9";
        // Small flushes pace the replay by ClickHouse inserts, so there is a "half-way" to kill it at.
        kappa["SpeedLayer__FlushMaxEvents"] = "250";
        kappa["SpeedLayer__MaxPendingFlushes"] = "1";
        var table = SpeedTableSchema.For(KappaView());
        var total = produced.Sum();
        var speed = StartSpeed(kappa, "replay");
        long storedAtKill = 0;
        await PlatformRig.Eventually(
            async () =>
            {
                speed.EnsureRunning();
                storedAtKill = await StoredOffsetsAsync(table);
                return storedAtKill >= total / 20;
            },
            "the replay to store a twentieth of the archive", Convergence, () => speed.Tail);
        _rig.Kill(speed);
        Assert.True(storedAtKill < total * 3 / 4, $"the replay was not killed part-way: {storedAtKill} of {total} offsets stored already");
        output.WriteLine($"replay SIGKILLed with {storedAtKill} of {total} offsets stored");

        var restarted = StartSpeed(kappa, "replay-restarted");
        await PlatformRig.Eventually(
            async () =>
            {
                restarted.EnsureRunning();
                return await StoredOffsetsAsync(table) >= total;
            },
            "the restarted replay to reach the archive's end", Convergence, () => restarted.Tail);

        using var serving = StartServing(Kappa(environment));
        var answer = await QueryAsync(serving);
        var oracle = Oracle(events);
        Assert.True(oracle.FindDifference(answer.Groups) is null, $"{oracle.FindDifference(answer.Groups)}\n{answer.Body}");
        Assert.True(answer.Complete, answer.Coverage);
        Assert.Null(answer.BatchRunId);
        output.WriteLine($"rebuilt by replay: {oracle.Matched} paid orders in {oracle.Groups.Count} groups equal to the oracle; {answer.Coverage}");
    }

    [Fact]
    public async Task A_deployment_switched_from_lambda_to_kappa_and_back_answers_like_the_oracle()
    {
        var all = OrderStream.Generate(36_000, seed: 20261213);
        var environment = Environment();
        var oracle = Oracle([]);
        var archiver = StartArchiver(environment);

        // Lambda: the speed layer, a recompute (and retention trimming the speed table below its watermarks).
        StartSpeed(environment, "lambda-1");
        var produced = await ProduceAsync(all.Take(12_000).ToArray(), oracle);
        await WaitForAsync(LambdaView(), produced, archived: true);
        var recompute = new Dictionary<string, string>(environment) { ["Batch__Retention__GracePeriod"] = "00:00:00" };
        await ServiceProcess.RunToEndAsync(Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute"], recompute, TimeSpan.FromMinutes(3));
        await ServiceProcess.RunToEndAsync(Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute"], recompute, TimeSpan.FromMinutes(3));
        using var lambdaServing = StartServing(environment);
        var lambdaAnswer = await EqualToOracleAsync(lambdaServing, oracle, "lambda, after a recompute");
        Assert.NotNull(lambdaAnswer.BatchRunId);

        // Lambda -> Kappa: the speed layer and the serving layer restart in Kappa mode; events keep coming meanwhile.
        StopAllBut(archiver);
        var kappa = Kappa(environment);
        StartSpeed(kappa, "kappa");
        using var kappaServing = StartServing(kappa);
        produced = await ProduceAsync(all.Skip(12_000).Take(12_000).ToArray(), oracle);
        await WaitForAsync(KappaView(), produced, archived: false);
        var kappaAnswer = await EqualToOracleAsync(kappaServing, oracle, "kappa");
        Assert.Null(kappaAnswer.BatchRunId);
        Assert.True(kappaAnswer.Complete, kappaAnswer.Coverage);
        await AssertRecomputeRefusedAsync(kappaServing);

        // Kappa -> Lambda: back to the Lambda tables (which resume where they stopped) merged with the published batch view.
        StopAllBut(archiver);
        StartSpeed(environment, "lambda-2");
        using var backServing = StartServing(environment);
        produced = await ProduceAsync(all.Skip(24_000).ToArray(), oracle);
        await WaitForAsync(LambdaView(), produced, archived: true);
        await EqualToOracleAsync(backServing, oracle, "back in lambda, before a recompute");
        await ServiceProcess.RunToEndAsync(Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute"], recompute, TimeSpan.FromMinutes(3));
        var last = await EqualToOracleAsync(backServing, oracle, "back in lambda, after a recompute");
        Assert.NotNull(last.BatchRunId);
    }

    private Dictionary<string, string> Environment() => new(_rig.Environment())
    {
        ["Batch__Schedule__HangfireSchema"] = _hangfireSchema,
    };

    private static Dictionary<string, string> Kappa(Dictionary<string, string> environment) =>
        new(environment) { [$"{LambdaModeOptions.SectionName}__{nameof(LambdaModeOptions.Mode)}"] = LambdaModeOptions.KappaName };

    private ViewDefinition LambdaView() => CatalogLoader.LoadFile(_rig.CatalogPath).GetView(View);

    private ViewDefinition KappaView() => CatalogLoader.LoadFile(_rig.CatalogPath).ForMode(LambdaMode.Kappa).GetView(View);

    private JsonViewOracle Oracle(IEnumerable<byte[]> events)
    {
        var oracle = new JsonViewOracle(LambdaView(), e => e.GetProperty("status").GetString() == "paid");
        foreach (var json in events)
        {
            oracle.Add(json);
        }

        return oracle;
    }

    private async Task<long[]> ProduceAsync(IReadOnlyList<byte[]> events, JsonViewOracle oracle)
    {
        foreach (var json in events)
        {
            oracle.Add(json);
        }

        return await _rig.ProduceAsync(Partitions, events);
    }

    /// <summary>Stops every service but <paramref name="archiver"/>, as an operator switching modes restarts the speed and serving layers.</summary>
    private void StopAllBut(ServiceProcess archiver)
    {
        foreach (var service in _rig.Services.Where(s => !ReferenceEquals(s, archiver)).ToArray())
        {
            _rig.Kill(service);
        }
    }

    private ServiceProcess StartArchiver(Dictionary<string, string> environment) =>
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["archive"], new(environment)
        {
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"kappa-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
        });

    private ServiceProcess StartSpeed(Dictionary<string, string> environment, string group) =>
        _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            // A group per start: a killed member would hold its partitions until the session timed out.
            ["SpeedLayer__GroupId"] = $"kappa-speed-{group}-{_rig.RunId}",
            ["SpeedLayer__FlushInterval"] = "00:00:00.500",
        });

    private HttpClient StartServing(Dictionary<string, string> environment)
    {
        var port = FreePort.Next();
        _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Serving__ApiKeys__0__Key"] = QueryKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "query",
            ["Serving__ApiKeys__1__Key"] = AdminKey,
            ["Serving__ApiKeys__1__Scopes__0"] = "admin",
        });
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", QueryKey);
        return client;
    }

    /// <summary>The sum over partitions of the stored end (max last_offset + 1) of <paramref name="table"/>.</summary>
    private async Task<long> StoredOffsetsAsync(SpeedTableSchema table)
    {
        var clickHouse = new ClickHouseClient(_rig.Http, new ClickHouseOptions { Url = _rig.Stack.ClickHouseUrl, Database = _rig.Database });
        try
        {
            var max = await SpeedTableQueries.ReadMaxOffsetsAsync(clickHouse, table, null, CancellationToken.None);
            return max.Values.Sum(m => m + 1);
        }
        catch (ClickHouseException ex) when (ex.Message.Contains("doesn't exist", StringComparison.Ordinal))
        {
            // The speed layer has not created its table yet.
            return 0;
        }
    }

    /// <summary>Waits until <paramref name="view"/>'s speed table (and, when asked, the archive) holds every produced offset.</summary>
    private async Task WaitForAsync(ViewDefinition view, long[] produced, bool archived)
    {
        var clickHouse = new ClickHouseClient(_rig.Http, new ClickHouseOptions { Url = _rig.Stack.ClickHouseUrl, Database = _rig.Database });
        await PlatformRig.Eventually(
            async () =>
            {
                foreach (var service in _rig.Services)
                {
                    service.EnsureRunning();
                }

                Dictionary<int, long> max;
                try
                {
                    max = new(await SpeedTableQueries.ReadMaxOffsetsAsync(clickHouse, SpeedTableSchema.For(view), null, CancellationToken.None));
                }
                catch (ClickHouseException)
                {
                    return false;
                }

                var ends = _rig.ArchivedEnds();
                return Enumerable.Range(0, Partitions).All(p => max.GetValueOrDefault(p, -1) + 1 >= produced[p] && (!archived || ends.GetValueOrDefault(p) >= produced[p]));
            },
            $"{SpeedTableSchema.TableNameOf(view)}{(archived ? " and the archive" : "")} to hold every produced offset",
            Convergence,
            () => string.Join(System.Environment.NewLine, _rig.Services.Select(s => $"--- {s.Name}:{System.Environment.NewLine}{s.Tail}")));
    }

    private async Task<QueryAnswer> EqualToOracleAsync(HttpClient serving, JsonViewOracle oracle, string phase)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var answer = await QueryAsync(serving);
            if (oracle.FindDifference(answer.Groups) is null)
            {
                output.WriteLine($"{phase}: equal to the oracle ({oracle.Matched} paid orders, {oracle.Groups.Count} groups) after {clock.Elapsed.TotalSeconds:F1} s; {answer.Coverage}");
                return answer;
            }

            Assert.True(clock.Elapsed < Convergence, $"{phase}: {oracle.FindDifference(answer.Groups)}; {answer.Coverage}");
            await Task.Delay(500);
        }
    }

    private async Task AssertRecomputeRefusedAsync(HttpClient serving)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/admin/batch/recompute");
        request.Headers.Add("X-Api-Key", AdminKey);
        using var response = await serving.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Lambda:Mode", body, StringComparison.Ordinal);
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The view over the three days of <see cref="OrderStream"/>, per hour and country: the groups the oracle holds.</summary>
    private static async Task<QueryAnswer> QueryAsync(HttpClient serving)
    {
        var from = OrderStream.Start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var to = OrderStream.Start.AddDays(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await serving.GetAsync($"api/views/{View}?from={from}&to={to}&granularity=hour&group_by=country");
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{View} answered {(int)response.StatusCode}: {body}");
                return QueryAnswer.Parse(body);
            }
            catch (HttpRequestException) when (started.Elapsed < TimeSpan.FromSeconds(60))
            {
                // Kestrel is not listening yet.
                await Task.Delay(200);
            }
        }
    }

    private sealed record QueryAnswer(
        string Body,
        bool Complete,
        string? BatchRunId,
        string Coverage,
        IReadOnlyList<(long Bucket, IReadOnlyList<string> Dimensions, IReadOnlyList<OracleActual> Measures)> Groups)
    {
        public static QueryAnswer Parse(string body)
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var watermark = root.GetProperty("watermark");
            var groups = root.GetProperty("rows").EnumerateArray().Select(row => (
                DateTimeOffset.Parse(row.GetProperty("bucket").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                (IReadOnlyList<string>)[row.GetProperty("country").GetString()!],
                (IReadOnlyList<OracleActual>)[.. new[] { "orders", "revenue", "buyers" }.Select(m => OracleActual.FromJson(row.GetProperty(m)))]))
                .ToArray();
            return new QueryAnswer(
                body,
                root.GetProperty("complete").GetBoolean(),
                watermark.ValueKind == JsonValueKind.Object && watermark.TryGetProperty("run_id", out var run) ? run.GetString() : null,
                $"watermark={watermark.GetRawText()} complete={root.GetProperty("complete").GetBoolean()} complete_from={root.GetProperty("complete_from").GetRawText()}",
                groups);
        }
    }
}
