using System.Globalization;
using System.Net;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.Drift;

/// <summary>
/// The drift audit on the real stack (speed layer, archiver, the batch layer's <c>recompute</c> command, serving layer):
/// after a clean recompute the audit of the view finds nothing; then one speed delta row is deleted in ClickHouse behind
/// the pipeline's back, and after the next recompute <c>GET /api/admin/drift</c> names the view, the row's bucket and
/// country, and both values (the batch layer's, from the archived events, and the speed deltas' without the row), and the
/// built-in <c>drift</c> alert fires for the view.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class DriftAuditStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int EventsPerRound = 4_000;
    private const int Partitions = 4;
    private const string View = "revenue_by_country";
    private const string AdminKey = "drift-admin-key";
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(120);

    private PlatformRig _rig = null!;
    private string _driftSchema = "";
    private Dictionary<string, string> _environment = [];

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("drift", Partitions, PlatformRig.RevenueByCountryCatalog, TimeSpan.FromSeconds(30));
        _driftSchema = _rig.Schema("drift");
        _environment = new Dictionary<string, string>(_rig.Environment()) { ["Drift__Schema"] = _driftSchema };
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task A_clean_run_reports_zero_and_a_speed_delta_removed_behind_the_pipelines_back_shows_with_bucket_group_and_both_values()
    {
        var view = CatalogLoader.LoadFile(_rig.CatalogPath).GetView(View);
        var clickHouse = new ClickHouseClient(_rig.Http, new ClickHouseOptions { Url = _rig.Stack.ClickHouseUrl, Database = _rig.Database });
        var table = ClickHouseSql.QualifiedName(_rig.Database, SpeedTableSchema.For(view).TableName);
        _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(_environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["SpeedLayer__GroupId"] = $"drift-speed-{_rig.RunId}",
            ["SpeedLayer__FlushInterval"] = "00:00:00.500",
        });
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["archive"], new(_environment)
        {
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"drift-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
        });

        // Round 1: every event in the speed table and the archive, then a recompute: the audit finds nothing.
        var produced = await _rig.ProduceAsync(Partitions, OrderStream.Generate(EventsPerRound, seed: 1206));
        await WaitForConvergenceAsync(clickHouse, view, produced);
        await RecomputeAsync();
        var first = Assert.Single(await AuditsAsync());
        Assert.Equal("clean", first.Outcome);
        Assert.Equal(0, first.Differences);
        Assert.True(first.SpeedGroups > 0, "the clean audit compared no group at all");
        Assert.Equal(0L, await CountDifferencesAsync());
        output.WriteLine($"clean audit of run {first.RunId}: {first.SpeedGroups} groups, ranges {first.Ranges}");

        // Round 2: more events; one delta row of partition 0 above the published watermark is deleted before the recompute,
        // one of a flush that keeps other rows, so the flush's offsets (the speed layer's resume point) stay recorded.
        produced = await _rig.ProduceAsync(Partitions, OrderStream.Generate(EventsPerRound, seed: 1207));
        await WaitForConvergenceAsync(clickHouse, view, produced);
        var watermark = first.RangeEnd(0);
        var rows = await clickHouse.QueryRowsAsync(
            $"SELECT toUInt32(bucket), country, orders, first_offset FROM {table} WHERE kind = 0 AND partition = 0 AND first_offset >= {watermark} "
            + $"AND last_offset IN (SELECT last_offset FROM {table} WHERE partition = 0 GROUP BY last_offset HAVING count() > 1) ORDER BY orders DESC, first_offset LIMIT 1");
        var victim = Assert.Single(rows);
        var bucket = DateTimeOffset.FromUnixTimeSeconds(victim.GetInt64(0));
        var country = victim.GetString(1);
        var deletedOrders = (long)victim.GetUInt64(2);
        var where = $"bucket = toDateTime({victim.GetInt64(0)}) AND country = {ClickHouseSql.QuoteString(country)}";
        var speedOrdersBefore = await clickHouse.QueryScalarAsync<long>(
            $"SELECT toInt64(sum(orders)) FROM {table} WHERE kind = 0 AND {where} AND ("
            + string.Join(" OR ", Enumerable.Range(0, Partitions).Select(p => $"(partition = {p} AND first_offset >= {first.RangeEnd(p)})")) + ")");
        await clickHouse.ExecuteAsync($"ALTER TABLE {table} DELETE WHERE kind = 0 AND partition = 0 AND first_offset = {victim.GetInt64(3)} AND {where}");
        await PlatformRig.Eventually(
            async () => await clickHouse.QueryScalarAsync<long>($"SELECT count() FROM {table} WHERE kind = 0 AND partition = 0 AND first_offset = {victim.GetInt64(3)} AND {where}") == 0,
            "the mutation to delete the speed delta row",
            TimeSpan.FromSeconds(30));
        output.WriteLine($"deleted the delta of bucket {bucket:O} country {country}: {deletedOrders} of {speedOrdersBefore} orders in the audited range");
        await RecomputeAsync();

        var second = (await AuditsAsync()).First();
        Assert.NotEqual(first.RunId, second.RunId);
        Assert.Equal("drift", second.Outcome);

        // The serving layer's endpoint shows it: view, bucket, group, measure, both values.
        using var serving = StartServing();
        var from = bucket.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var to = bucket.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var body = await GetAsync(serving, $"api/admin/drift?view={View}&from={from}&to={to}");
        output.WriteLine(body);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.Equal("drift", root.GetProperty("audits")[0].GetProperty("outcome").GetString());
        Assert.Equal(second.RunId, root.GetProperty("audits")[0].GetProperty("run_id").GetString());
        var differences = root.GetProperty("differences").EnumerateArray()
            .Where(d => d.GetProperty("group").GetProperty("country").GetString() == country)
            .ToDictionary(d => d.GetProperty("measure").GetString()!);
        var orders = differences["orders"];
        Assert.Equal(View, orders.GetProperty("view").GetString());
        Assert.Equal(bucket, DateTimeOffset.Parse(orders.GetProperty("bucket").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(second.RunId, orders.GetProperty("run_id").GetString());
        Assert.Equal(speedOrdersBefore, orders.GetProperty("batch_value").GetInt64());
        Assert.Equal(speedOrdersBefore - deletedOrders, orders.GetProperty("speed_value").GetInt64());
        Assert.True(differences.ContainsKey("revenue"), $"the revenue of the deleted delta is missing too: {body}");

        // Outside the bucket range, nothing of it; a bad parameter is a 400 naming it.
        var later = await GetAsync(serving, $"api/admin/drift?view={View}&from={to}&to={bucket.AddMinutes(2):yyyy-MM-dd'T'HH:mm:ss'Z'}");
        Assert.DoesNotContain(
            JsonDocument.Parse(later).RootElement.GetProperty("differences").EnumerateArray(),
            d => d.GetProperty("group").GetProperty("country").GetString() == country && d.GetProperty("bucket").GetString() == orders.GetProperty("bucket").GetString());
        using var bad = await serving.GetAsync("api/admin/drift?from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("from", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The built-in alert kind fires for the view.
        string alert = "";
        await PlatformRig.Eventually(
            async () =>
            {
                alert = await GetAsync(serving, "api/alerts/drift");
                return JsonDocument.Parse(alert).RootElement.GetProperty("state").GetString() == "firing";
            },
            "the drift alert to fire",
            TimeSpan.FromSeconds(30),
            () => alert);
        var firing = JsonDocument.Parse(alert).RootElement;
        Assert.Equal("drift", firing.GetProperty("kind").GetString());
        Assert.Equal(View, firing.GetProperty("groups")[0].GetProperty("group").GetProperty("view").GetString());
        Assert.Equal(second.Differences, firing.GetProperty("groups")[0].GetProperty("value").GetInt32());
        output.WriteLine(alert);
    }

    private sealed record Audit(string RunId, string Outcome, int Differences, int SpeedGroups, JsonElement Ranges)
    {
        public long RangeEnd(int partition) =>
            Ranges.TryGetProperty(partition.ToString(CultureInfo.InvariantCulture), out var range) ? range.GetProperty("to").GetInt64() : 0;
    }

    private async Task<IReadOnlyList<Audit>> AuditsAsync()
    {
        await using var connection = new NpgsqlConnection(_rig.Stack.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT run_id, outcome, differences, speed_groups, ranges::text FROM \"{_driftSchema}\".drift_audits WHERE view_name = '{View}' ORDER BY audited_at DESC",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        var audits = new List<Audit>();
        while (await reader.ReadAsync())
        {
            audits.Add(new Audit(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), JsonDocument.Parse(reader.GetString(4)).RootElement.Clone()));
        }

        return audits;
    }

    private async Task<long> CountDifferencesAsync()
    {
        await using var connection = new NpgsqlConnection(_rig.Stack.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{_driftSchema}\".drift_differences", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private Task RecomputeAsync() =>
        ServiceProcess.RunToEndAsync(Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute"], _environment, TimeSpan.FromSeconds(120));

    private HttpClient StartServing()
    {
        var port = FreePort.Next();
        _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(_environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Serving__ApiKeys__0__Key"] = AdminKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "admin",
            ["Serving__ApiKeys__0__Scopes__1"] = "query",
            ["Serving__Alerts__Rules__0__Name"] = "drift",
            ["Serving__Alerts__Rules__0__Kind"] = "drift",
            ["Serving__Alerts__EvaluationInterval"] = "00:00:01",
        });
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    private static async Task<string> GetAsync(HttpClient serving, string path)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                using var response = await serving.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {body}");
                return body;
            }
            catch (HttpRequestException) when (DateTime.UtcNow - started < TimeSpan.FromSeconds(30))
            {
                // Kestrel is not listening yet.
                await Task.Delay(200);
            }
        }
    }


    /// <summary>Polls until the view's speed table and the archive's commit log hold every produced offset.</summary>
    private async Task WaitForConvergenceAsync(ClickHouseClient clickHouse, ViewDefinition view, long[] produced) =>
        await PlatformRig.Eventually(
            async () =>
            {
                foreach (var service in _rig.Services)
                {
                    service.EnsureRunning();
                }

                var max = await SpeedTableQueries.ReadMaxOffsetsAsync(clickHouse, SpeedTableSchema.For(view), null, CancellationToken.None);
                var archived = _rig.ArchivedEnds();
                return Enumerable.Range(0, Partitions).All(p => max.GetValueOrDefault(p, -1) + 1 >= produced[p] && archived.GetValueOrDefault(p) >= produced[p]);
            },
            "the speed table and the archive to hold every event",
            Convergence,
            () => string.Join(System.Environment.NewLine, _rig.Services.Select(s => $"--- {s.Name}:{System.Environment.NewLine}{s.Tail}")));
}
