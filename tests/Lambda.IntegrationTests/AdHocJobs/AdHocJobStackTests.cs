using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Testing;
using Npgsql;
using Parquet;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.AdHocJobs;

/// <summary>
/// Ad hoc jobs through the built services on the local stack: the batch layer's server (archiver and Hangfire worker on a
/// Hangfire schema of the run's own) and the serving layer. Orders are produced and archived; a job over
/// <c>master_orders</c> is submitted over HTTP, polled to <c>succeeded</c>, its Parquet result downloaded and compared with
/// an oracle the test computes from the produced JSON; a refused statement fails with the refusal; a long query is
/// cancelled and its Hangfire job ends.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class AdHocJobStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int EventCount = 20_000;
    private const int Partitions = 4;
    private const string AdminKey = "adhoc-admin-key";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private PlatformRig _rig = null!;
    private string _hangfireSchema = "";
    private HttpClient _serving = null!;

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("adhoc", Partitions, PlatformRig.RevenueByCountryCatalog, TimeSpan.FromSeconds(30));
        _hangfireSchema = _rig.Schema("hangfire");
        var environment = new Dictionary<string, string>(_rig.Environment())
        {
            // A schema of this run's own: no other batch server on the stack takes its jobs, and it takes none of theirs.
            ["Batch__Schedule__HangfireSchema"] = _hangfireSchema,
            ["Serving__HangfireSchema"] = _hangfireSchema,
        };
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["serve"], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Batch__Archiver__Enabled"] = "true",
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"adhoc-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
            ["Batch__Schedule__RecurringJobEnabled"] = "false",
            ["Batch__Schedule__BackfillNewViews"] = "false",
            ["Batch__Compaction__RecurringJobEnabled"] = "false",
            ["Batch__Schedule__SchedulePollingInterval"] = "00:00:01",
            ["Batch__Schedule__QueuePollInterval"] = "00:00:01",
            ["Batch__AdHocJobs__PollInterval"] = "00:00:00.200",
            ["Batch__Dashboard__ApiKeys__0"] = "adhoc-dashboard-key",
        });
        var port = FreePort.Next();
        _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Serving__ApiKeys__0__Key"] = AdminKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "admin",
        });
        _serving = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        _serving.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);

        // Up when it answers an unknown job with 404 (PostgreSQL reached).
        await PlatformRig.Eventually(
            async () =>
            {
                try
                {
                    using var probe = await _serving.GetAsync($"api/admin/jobs/{Guid.NewGuid()}");
                    return probe.StatusCode == HttpStatusCode.NotFound;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "the serving layer to answer",
            Bound,
            Tails);
    }

    public async Task DisposeAsync()
    {
        _serving?.Dispose();
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task A_job_over_master_orders_submitted_over_http_gives_the_oracles_result_and_a_refused_one_says_why()
    {
        var events = OrderStream.Generate(EventCount, seed: 20261207);
        var produced = await _rig.ProduceAsync(Partitions, events);
        await PlatformRig.Eventually(
            () => Task.FromResult(Enumerable.Range(0, Partitions).All(p => _rig.ArchivedEnds().GetValueOrDefault(p) >= produced[p])),
            "every produced event archived",
            Bound,
            Tails);

        var clock = Stopwatch.StartNew();
        var id = await SubmitAsync(
            "SELECT country, status, count(*) AS orders, sum(amount) AS revenue FROM master_orders GROUP BY country, status ORDER BY country, status",
            "parquet");
        var job = await WaitForAsync(id, "succeeded");
        output.WriteLine($"job {id}: succeeded {clock.Elapsed.TotalSeconds:F1} s after submission: {job}");

        // The oracle: the produced JSON, grouped by the test.
        var expected = new SortedDictionary<(string Country, string Status), (long Orders, decimal Revenue)>();
        foreach (var json in events)
        {
            using var document = JsonDocument.Parse(json);
            var key = (document.RootElement.GetProperty("country").GetString()!, document.RootElement.GetProperty("status").GetString()!);
            var (orders, revenue) = expected.GetValueOrDefault(key);
            expected[key] = (orders + 1, revenue + document.RootElement.GetProperty("amount").GetDecimal());
        }

        Assert.Equal(expected.Count, job.GetProperty("rows").GetInt64());
        using var download = await _serving.GetAsync($"api/admin/jobs/{id}/result");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/vnd.apache.parquet", download.Content.Headers.ContentType?.MediaType);
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(job.GetProperty("bytes").GetInt64(), bytes.Length);
        var actual = await ReadResultAsync(bytes);
        Assert.Equal(expected.Select(e => (e.Key.Country, e.Key.Status, e.Value.Orders, e.Value.Revenue)), actual);

        // The job recorded the snapshot it read: every produced offset of every partition, nothing beyond.
        using (var snapshot = JsonDocument.Parse(await SnapshotAsync(id)))
        {
            var ends = snapshot.RootElement.GetProperty("master").GetProperty("orders").GetProperty("committed_ends");
            Assert.Equal(
                Enumerable.Range(0, Partitions).Select(p => produced[p]),
                Enumerable.Range(0, Partitions).Select(p => ends.GetProperty(p.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetInt64()));
        }

        var refused = await SubmitAsync("COPY (SELECT * FROM master_orders) TO '/tmp/adhoc-stack-stolen.csv'", "csv");
        var failed = await WaitForAsync(refused, "failed");
        Assert.StartsWith("refused:", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/adhoc-stack-stolen.csv"));
        using var noResult = await _serving.GetAsync($"api/admin/jobs/{refused}/result");
        Assert.Equal(HttpStatusCode.Conflict, noResult.StatusCode);
    }

    [Fact]
    public async Task A_long_job_cancelled_over_http_is_interrupted_on_the_worker()
    {
        // Minutes of work for DuckDB: a cross join of 10^10 rows.
        var id = await SubmitAsync("SELECT sum(a.i * b.j) FROM range(100000) a(i), range(100000) b(j)", "parquet");
        await WaitForAsync(id, "running");

        var clock = Stopwatch.StartNew();
        using var cancel = await _serving.PostAsync($"api/admin/jobs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        // The worker's Hangfire job ends once the interrupted query has stopped.
        await PlatformRig.Eventually(async () => await HangfireStateAsync(id) == "Succeeded", "the cancelled job's Hangfire job to end", TimeSpan.FromSeconds(30), Tails);
        output.WriteLine($"job {id}: worker stopped {clock.Elapsed.TotalSeconds:F1} s after the cancel");
        var job = await GetAsync(id);
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        using var noResult = await _serving.GetAsync($"api/admin/jobs/{id}/result");
        Assert.Equal(HttpStatusCode.Conflict, noResult.StatusCode);
        Assert.False(File.Exists(Path.Combine(_rig.Root, "jobs", id.ToString("D"), "result.parquet")));
    }

    private async Task<Guid> SubmitAsync(string sql, string format)
    {
        using var response = await _serving.PostAsync("api/admin/jobs", new StringContent(JsonSerializer.Serialize(new { sql, format }), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"submission answered {(int)response.StatusCode}: {body}");
        var id = Guid.Parse(JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!);
        Assert.Equal($"/api/admin/jobs/{id:D}", response.Headers.Location?.OriginalString);
        return id;
    }

    private async Task<JsonElement> GetAsync(Guid id)
    {
        using var response = await _serving.GetAsync($"api/admin/jobs/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"job state answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<JsonElement> WaitForAsync(Guid id, string state)
    {
        var job = default(JsonElement);
        await PlatformRig.Eventually(
            async () =>
            {
                _rig.Services.ToList().ForEach(s => s.EnsureRunning());
                job = await GetAsync(id);
                var now = job.GetProperty("state").GetString();
                Assert.True(now == state || now is "queued" or "running", $"job {id} is {now}, not {state}: {job}");
                return now == state;
            },
            $"job {id} to be {state}",
            Bound,
            () => $"last: {job}\n{Tails()}");
        return job;
    }

    private async Task<string> SnapshotAsync(Guid id)
    {
        await using var connection = new NpgsqlConnection(_rig.Stack.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT snapshot::text FROM adhoc_jobs WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync() as string ?? throw new InvalidOperationException($"job {id} recorded no snapshot");
    }

    private async Task<string?> HangfireStateAsync(Guid id)
    {
        await using var connection = new NpgsqlConnection(_rig.Stack.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT j.statename FROM adhoc_jobs a JOIN \"{_hangfireSchema}\".job j ON j.id = a.hangfire_job_id::bigint WHERE a.id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync() as string;
    }

    private static async Task<List<(string, string, long, decimal)>> ReadResultAsync(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(["country", "status", "orders", "revenue"], fields.Select(f => f.Name));
        var rows = new List<(string, string, long, decimal)>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            var countries = new string?[n];
            var statuses = new string?[n];
            var orders = new long?[n];
            var revenue = new decimal?[n];
            await group.ReadAsync(fields[0], countries.AsMemory());
            await group.ReadAsync(fields[1], statuses.AsMemory());
            await group.ReadAsync(fields[2], orders.AsMemory());
            await group.ReadAsync(fields[3], revenue.AsMemory());
            rows.AddRange(Enumerable.Range(0, n).Select(i => (countries[i]!, statuses[i]!, orders[i]!.Value, revenue[i]!.Value)));
        }

        return rows;
    }


    private string Tails() => string.Join(System.Environment.NewLine, _rig.Services.Select(s => $"--- {s.Name}:{System.Environment.NewLine}{s.Tail}"));
}
