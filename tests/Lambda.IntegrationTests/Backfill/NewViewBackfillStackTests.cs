using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.IntegrationTests.Dashboard;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Lambda.Testing.Oracles;
using Microsoft.Playwright;
using Npgsql;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.Backfill;

/// <summary>
/// A view added to the catalog of a platform that already holds three days of archived events fills its history by itself:
/// the platform runs with one view until every event is archived and a batch view of it is published; then the services
/// stop, a second view joins the catalog, and the services start again (the batch layer's server with its Hangfire worker,
/// the nightly job off). Without any other command, the new view's answers over the three days must come to equal the
/// test's own oracle, merged with a batch view of the new view that the backfill published, and say <c>complete</c>.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class NewViewBackfillStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int EventCount = 30_000;
    private const int Partitions = 4;
    private const string QueryKey = "backfill-query-key";
    private const string NewView = "orders_by_status";
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan BackfillBound = TimeSpan.FromMinutes(5);

    private PlatformRig _rig = null!;
    private string _hangfireSchema = "";

    private static string OneViewCatalog(string topic) => PlatformRig.RevenueByCountryCatalog(topic);

    private static string TwoViewCatalog(string topic) => OneViewCatalog(topic) + $$"""

          {{NewView}}:
            source: orders
            granularity: hour
            dimensions: [status, country]
            measures: { orders: count, smallest: min(amount), avg_amount: avg(amount), customers: distinct(user_id) }
        """;

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("backfill", Partitions, OneViewCatalog, TimeSpan.FromSeconds(30));
        _hangfireSchema = _rig.Schema("hangfire");
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task A_view_added_to_the_catalog_answers_like_the_oracle_over_all_archived_days_without_a_command()
    {
        var events = OrderStream.Generate(EventCount, seed: 20261206);
        var environment = new Dictionary<string, string>(_rig.Environment())
        {
            // A schema of this run's own: no other batch server on the stack takes its jobs, and it takes none of theirs.
            ["Batch__Schedule__HangfireSchema"] = _hangfireSchema,
        };

        // The platform with one view: every event archived and in the speed table, and a batch view of it published.
        var speed = StartSpeed(environment, "first");
        var archiver = _rig.Start("batch-layer", "Lambda.BatchLayer", ["archive"], new(environment)
        {
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"backfill-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
        });
        var produced = await _rig.ProduceAsync(Partitions, events);
        var oneView = CatalogLoader.LoadFile(_rig.CatalogPath);
        await WaitForConvergenceAsync(oneView.Views, produced);
        await ServiceProcess.RunToEndAsync(Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute"], environment, TimeSpan.FromSeconds(120));
        _rig.Kill(speed);
        _rig.Kill(archiver);

        // A second view joins the catalog while the services are down.
        await File.WriteAllTextAsync(_rig.CatalogPath, TwoViewCatalog(_rig.Topic));
        var catalog = CatalogLoader.LoadFile(_rig.CatalogPath);
        var oracle = new JsonViewOracle(catalog.GetView(NewView), _ => true);
        foreach (var json in events)
        {
            oracle.Add(json);
        }

        using var serving = StartServing(environment);
        var before = await QueryAsync(serving);
        Assert.False(before.Complete, $"before the restart of the batch and speed layers the new view cannot be complete: {before.Body}");
        await AssertDashboardSaysIncompleteAsync(serving.BaseAddress!);

        var clock = Stopwatch.StartNew();
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["serve"], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Batch__Archiver__Enabled"] = "true",
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"backfill-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
            ["Batch__Schedule__RecurringJobEnabled"] = "false",
            ["Batch__Compaction__RecurringJobEnabled"] = "false",
            ["Batch__Schedule__SchedulePollingInterval"] = "00:00:01",
            ["Batch__Schedule__QueuePollInterval"] = "00:00:01",
            ["Batch__Dashboard__ApiKeys__0"] = "backfill-dashboard-key",
        });
        // A group of its own: the killed speed layer's member would hold its partitions until Kafka's session timeout
        // (45 s) ran out, which measures the broker rather than the backfill. The speed layer resumes from its tables anyway.
        StartSpeed(environment, "restarted");

        QueryAnswer answer;
        var sawIncomplete = 0;
        TimeSpan? firstComplete = null, firstEqual = null, firstBatch = null;
        while (true)
        {
            foreach (var service in _rig.Services)
            {
                service.EnsureRunning();
            }

            answer = await QueryAsync(serving);
            if (!answer.Complete)
            {
                sawIncomplete++;
            }

            firstComplete ??= answer.Complete ? clock.Elapsed : null;
            firstBatch ??= answer.BatchRunId is not null ? clock.Elapsed : null;
            firstEqual ??= oracle.FindDifference(answer.Groups) is null ? clock.Elapsed : null;

            if (answer.Complete && answer.BatchRunId is not null && answer.BatchCoversEveryPartition && oracle.FindDifference(answer.Groups) is null)
            {
                break;
            }

            Assert.True(
                clock.Elapsed < BackfillBound,
                $"the new view did not equal the oracle within {BackfillBound}: {oracle.FindDifference(answer.Groups) ?? "(equal)"}; last answer's watermark and coverage: "
                + $"{answer.Coverage}{System.Environment.NewLine}{string.Join(System.Environment.NewLine, _rig.Services.Select(s => $"--- {s.Name}:{System.Environment.NewLine}{s.Tail}"))}");
            await Task.Delay(500);
        }

        output.WriteLine(
            $"new view {NewView}: equal to the oracle over three days ({oracle.Matched} events, {oracle.Groups.Count} groups), merged with backfilled batch run {answer.BatchRunId}, "
            + $"complete, {clock.Elapsed.TotalSeconds:F1} s after the batch and speed layers were started ({sawIncomplete} incomplete answers polled before; "
            + $"first complete answer at {firstComplete?.TotalSeconds:F1} s, first equal to the oracle at {firstEqual?.TotalSeconds:F1} s, first merged with a batch view at {firstBatch?.TotalSeconds:F1} s)");
        output.WriteLine($"before: {before.Coverage}; after: {answer.Coverage}");
    }

    /// <summary>The dashboard, on the new view, shows the note next to the watermark.</summary>
    private static async Task AssertDashboardSaysIncompleteAsync(Uri serving)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DebianChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(serving, "dashboard").AbsoluteUri);
        await page.FillAsync("#key", QueryKey);
        await page.ClickAsync("#key-form button[type=submit]");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("updated", new() { Timeout = 30_000 });
        await page.SelectOptionAsync("#view", NewView);
        await Assertions.Expect(page.Locator("#incomplete")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#incomplete")).ToHaveTextAsync("incomplete: history is being recomputed");
    }

    private ServiceProcess StartSpeed(Dictionary<string, string> environment, string group) =>
        _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["SpeedLayer__GroupId"] = $"backfill-speed-{group}-{_rig.RunId}",
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
        });
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", QueryKey);
        return client;
    }

    /// <summary>The new view over the three days, per hour and every dimension: the groups the oracle holds.</summary>
    private async Task<QueryAnswer> QueryAsync(HttpClient serving)
    {
        var from = OrderStream.Start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var to = OrderStream.Start.AddDays(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await serving.GetAsync($"api/views/{NewView}?from={from}&to={to}&granularity=hour&group_by=status,country");
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{NewView} answered {(int)response.StatusCode}: {body}");
                return QueryAnswer.Parse(body);
            }
            catch (HttpRequestException) when (started.Elapsed < TimeSpan.FromSeconds(30))
            {
                // Kestrel is not listening yet.
                await Task.Delay(200);
            }
        }
    }


    /// <summary>Polls until the views' speed tables and the archive's commit log hold every produced offset.</summary>
    private async Task WaitForConvergenceAsync(IReadOnlyList<ViewDefinition> views, long[] produced)
    {
        var clickHouse = new ClickHouseClient(_rig.Http, new ClickHouseOptions { Url = _rig.Stack.ClickHouseUrl, Database = _rig.Database });
        await PlatformRig.Eventually(
            async () =>
            {
                foreach (var service in _rig.Services)
                {
                    service.EnsureRunning();
                }

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
            () => string.Join(System.Environment.NewLine, _rig.Services.Select(s => $"--- {s.Name}:{System.Environment.NewLine}{s.Tail}")));
    }

    /// <summary>What the test reads of an answer of the new view.</summary>
    private sealed record QueryAnswer(
        string Body,
        bool Complete,
        string? BatchRunId,
        bool BatchCoversEveryPartition,
        string Coverage,
        IReadOnlyList<(long Bucket, IReadOnlyList<string> Dimensions, IReadOnlyList<OracleActual> Measures)> Groups)
    {
        public static QueryAnswer Parse(string body)
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var watermark = root.GetProperty("watermark");
            var batchPartitions = watermark.GetProperty("partitions");
            var groups = root.GetProperty("rows").EnumerateArray().Select(row => (
                DateTimeOffset.Parse(row.GetProperty("bucket").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                (IReadOnlyList<string>)[row.GetProperty("status").GetString()!, row.GetProperty("country").GetString()!],
                (IReadOnlyList<OracleActual>)[.. new[] { "orders", "smallest", "avg_amount", "customers" }.Select(m => OracleActual.FromJson(row.GetProperty(m)))]))
                .ToArray();
            return new QueryAnswer(
                body,
                root.GetProperty("complete").GetBoolean(),
                watermark.GetProperty("run_id").GetString(),
                Enumerable.Range(0, Partitions).All(p => batchPartitions.TryGetProperty(p.ToString(CultureInfo.InvariantCulture), out var s) && s.GetInt64() > 0),
                $"{watermark.GetRawText()} complete={root.GetProperty("complete").GetBoolean()} complete_from={root.GetProperty("complete_from").GetRawText()}",
                groups);
        }
    }
}
