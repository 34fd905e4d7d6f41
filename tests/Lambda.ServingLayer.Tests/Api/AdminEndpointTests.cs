using System.Net;
using System.Text;
using System.Text.Json;
using Lambda.ServingLayer.Admin;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Batch;
using Lambda.Testing;
using Npgsql;

namespace Lambda.ServingLayer.Tests.Api;

public sealed class AdminEndpointTests : IClassFixture<ServingAppFactory>
{
    private readonly ServingAppFactory _factory;
    private readonly HttpClient _client;

    public AdminEndpointTests(ServingAppFactory factory)
    {
        _factory = factory;
        _factory.Scheduler.Failure = null;
        _client = factory.CreateClient(ServingAppFactory.AdminKey);
    }

    [Fact]
    public async Task Recompute_without_a_body_enqueues_an_incremental_run_and_answers_202_with_the_job_id()
    {
        using var response = await _client.PostAsync("/api/admin/batch/recompute", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("/api/admin/batch/status", response.Headers.Location?.OriginalString);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("incremental", body.GetProperty("mode").GetString());
        Assert.Equal("batch", body.GetProperty("queue").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("job_id").GetString()));
        Assert.Contains(new RecomputeRequest { Mode = RecomputeMode.Incremental }, _factory.Scheduler.Enqueued);
    }

    [Fact]
    public async Task Recompute_with_a_range_enqueues_a_backfill()
    {
        using var response = await _client.PostAsync(
            "/api/admin/batch/recompute", new StringContent("{\"from\":\"2026-11-01\",\"to\":\"2026-11-03\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("backfill", body.GetProperty("mode").GetString());
        Assert.Equal("2026-11-01", body.GetProperty("from").GetString());
        Assert.Contains(new RecomputeRequest { Mode = RecomputeMode.Backfill, From = new DateOnly(2026, 11, 1), To = new DateOnly(2026, 11, 3) }, _factory.Scheduler.Enqueued);
    }

    [Theory]
    [InlineData("{\"from\":\"2026-11-01\"}", "application/json", HttpStatusCode.BadRequest, "to")]
    [InlineData("{\"mode\":\"weekly\"}", "application/json", HttpStatusCode.BadRequest, "mode")]
    [InlineData("{\"from\":\"2026-11-01\",", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("from=2026-11-01", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "Content-Type")]
    [InlineData("{", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("[]", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("\"2026-11-01\"", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("null", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("{\"from\":20261101,\"to\":\"2026-11-03\"}", "application/json", HttpStatusCode.BadRequest, "from")]
    [InlineData("{\"mode\":{\"name\":\"full\"}}", "application/json", HttpStatusCode.BadRequest, "mode")]
    [InlineData("{\"form\":\"2026-11-01\"}", "application/json", HttpStatusCode.BadRequest, "form")]
    [InlineData("{\"Mode\":\"full\"}", "application/json", HttpStatusCode.BadRequest, "Mode")]
    public async Task Bad_recompute_requests_are_refused_naming_the_field(string body, string contentType, HttpStatusCode status, string parameter)
    {
        var before = _factory.Scheduler.Enqueued.Count;
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        using var response = await _client.PostAsync("/api/admin/batch/recompute", content);

        await ProblemAssert.ReadNamingAsync(response, status, parameter);
        Assert.Equal(before, _factory.Scheduler.Enqueued.Count);
    }

    [Theory]
    [MemberData(nameof(RecomputeRequestCases.Accepted), MemberType = typeof(RecomputeRequestCases))]
    public async Task Recompute_accepts_what_the_job_and_the_command_accept(string? mode, string? from, string? to, string expectedMode)
    {
        using var response = await PostRecomputeAsync(mode, from, to);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((expectedMode, from, to), (body.GetProperty("mode").GetString(), body.GetProperty("from").GetString(), body.GetProperty("to").GetString()));
    }

    [Theory]
    [MemberData(nameof(RecomputeRequestCases.Refused), MemberType = typeof(RecomputeRequestCases))]
    public async Task Recompute_refuses_what_the_job_and_the_command_refuse_with_the_same_message(
        string? mode, string? from, string? to, string parameter, string message)
    {
        var before = _factory.Scheduler.Enqueued.Count;

        using var response = await PostRecomputeAsync(mode, from, to);

        var problem = await ProblemAssert.ReadNamingAsync(response, HttpStatusCode.BadRequest, parameter);
        Assert.Equal(message, problem.GetProperty("detail").GetString());
        Assert.Equal(before, _factory.Scheduler.Enqueued.Count);
    }

    [Fact]
    public async Task PostgreSQL_being_away_is_503_naming_it()
    {
        _factory.Scheduler.Failure = new NpgsqlException("Failed to connect to 127.0.0.1:5432");

        using var response = await _client.PostAsync("/api/admin/batch/recompute", null);

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("PostgreSQL", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_lists_the_latest_runs_and_the_published_watermarks()
    {
        var started = new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);
        _factory.Status.Runs.Clear();
        _factory.Status.Runs.Add(new BatchRun("r1", "incremental", null, null, "succeeded", null, started, started.AddSeconds(90.5), 1000, 40, null));
        _factory.Status.Runs.Add(new BatchRun("r2", "backfill", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 2), "running", "chunks 3/8", started.AddHours(1), null, 5, 0, null));
        _factory.Batch.Publish(TestCatalogs.RevenueByCountry, "r1", new Dictionary<int, long> { [1] = 77, [0] = 42 }, []);

        using var response = await _client.GetAsync("/api/admin/batch/status?limit=5");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, _factory.Status.LastLimit);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var runs = body.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(["r2", "r1"], runs.Select(r => r.GetProperty("run_id").GetString()));
        Assert.Equal("2026-11-01", runs[0].GetProperty("range_from").GetString());
        Assert.Equal("running", runs[0].GetProperty("state").GetString());
        Assert.Equal("chunks 3/8", runs[0].GetProperty("stage").GetString());
        Assert.Equal(JsonValueKind.Null, runs[1].GetProperty("stage").ValueKind);
        Assert.Equal(JsonValueKind.Null, runs[0].GetProperty("finished_at").ValueKind);
        Assert.Equal("2026-11-25T03:00:00Z", runs[1].GetProperty("started_at").GetString());
        Assert.Equal(90.5, runs[1].GetProperty("duration_seconds").GetDouble());
        Assert.Equal(40, runs[1].GetProperty("rows_written").GetInt64());
        var published = body.GetProperty("watermark").GetProperty("revenue_by_country");
        Assert.Equal("r1", published.GetProperty("run_id").GetString());
        Assert.True(published.GetProperty("current").GetBoolean());
        Assert.Equal("""{"0":42,"1":77}""", published.GetProperty("partitions").GetRawText());
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=many", "limit")]
    [InlineData("?limit=1&limit=2", "limit")]
    [InlineData("?since=yesterday", "since")]
    public async Task Bad_status_parameters_are_refused_naming_them(string query, string parameter)
    {
        using var response = await _client.GetAsync("/api/admin/batch/status" + query);

        await ProblemAssert.ReadNamingAsync(response, HttpStatusCode.BadRequest, parameter);
    }

    private Task<HttpResponseMessage> PostRecomputeAsync(string? mode, string? from, string? to)
    {
        // Absent arguments are left out of the body, as a client would.
        var members = new Dictionary<string, string>();
        if (mode is not null)
        {
            members["mode"] = mode;
        }

        if (from is not null)
        {
            members["from"] = from;
        }

        if (to is not null)
        {
            members["to"] = to;
        }

        return _client.PostAsync("/api/admin/batch/recompute", new StringContent(JsonSerializer.Serialize(members), Encoding.UTF8, "application/json"));
    }
}
