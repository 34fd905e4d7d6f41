using System.Net;
using System.Text;
using System.Text.Json;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.AdHoc;

namespace Lambda.ServingLayer.Tests.Api;

/// <summary><c>/api/admin/jobs</c>: submission, state, result download and cancel, with the job store and the scheduler faked.</summary>
public sealed class AdHocJobEndpointTests : IClassFixture<ServingAppFactory>
{
    private const string Sql = "SELECT country, count(*) AS n FROM master_orders GROUP BY country";
    private readonly ServingAppFactory _factory;
    private readonly HttpClient _client;

    public AdHocJobEndpointTests(ServingAppFactory factory)
    {
        _factory = factory;
        _factory.Scheduler.Failure = null;
        _client = factory.CreateClient(ServingAppFactory.AdminKey);
    }

    [Fact]
    public async Task A_submitted_job_is_stored_queued_enqueued_and_answered_202_with_its_location()
    {
        using var response = await _client.PostAsync("/api/admin/jobs", Json($$"""{"sql":"{{Sql}}","format":"csv"}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var id = Guid.Parse(body.GetProperty("id").GetString()!);
        Assert.Equal($"/api/admin/jobs/{id:D}", response.Headers.Location?.OriginalString);
        Assert.Equal("queued", body.GetProperty("state").GetString());
        Assert.Equal("csv", body.GetProperty("format").GetString());
        Assert.Contains(id, _factory.Scheduler.EnqueuedAdHocJobs);
        var stored = await _factory.AdHocJobs.GetAsync(id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(Sql, stored.Sql);
        Assert.Equal(AdHocJobFormat.Csv, stored.Format);
        Assert.StartsWith("adhoc-", stored.HangfireJobId, StringComparison.Ordinal);

        using var get = await _client.GetAsync(response.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("queued", JsonDocument.Parse(await get.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task The_format_defaults_to_parquet()
    {
        using var response = await _client.PostAsync("/api/admin/jobs", Json($$"""{"sql":"{{Sql}}"}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("parquet", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("format").GetString());
    }

    [Theory]
    [InlineData("", "application/json", HttpStatusCode.BadRequest, "sql")]
    [InlineData("{}", "application/json", HttpStatusCode.BadRequest, "sql")]
    [InlineData("{\"sql\":\"  \"}", "application/json", HttpStatusCode.BadRequest, "sql")]
    [InlineData("{\"sql\":42}", "application/json", HttpStatusCode.BadRequest, "sql")]
    [InlineData("{\"sql\":\"SELECT 1\",\"format\":\"xlsx\"}", "application/json", HttpStatusCode.BadRequest, "format")]
    [InlineData("{\"sql\":\"SELECT 1\",\"format\":\"CSV\"}", "application/json", HttpStatusCode.BadRequest, "format")]
    [InlineData("{\"sql\":\"SELECT 1\",\"query\":\"x\"}", "application/json", HttpStatusCode.BadRequest, "query")]
    [InlineData("{\"sql\":", "application/json", HttpStatusCode.BadRequest, "sql")]
    [InlineData("{\"sql\":\"SELECT 1\"", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("[]", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("sql=SELECT+1", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "Content-Type")]
    public async Task A_bad_body_is_a_problem_naming_the_field(string body, string contentType, HttpStatusCode status, string parameter)
    {
        var before = _factory.Scheduler.EnqueuedAdHocJobs.Count;

        using var response = await _client.PostAsync("/api/admin/jobs", new StringContent(body, Encoding.UTF8, contentType));

        await ProblemAssert.ReadNamingAsync(response, status, parameter);
        Assert.Equal(before, _factory.Scheduler.EnqueuedAdHocJobs.Count);
    }

    [Fact]
    public async Task Sql_beyond_the_limit_is_refused_naming_sql()
    {
        var sql = "SELECT '" + new string('x', 70_000) + "'";

        using var response = await _client.PostAsync("/api/admin/jobs", Json(JsonSerializer.Serialize(new { sql })));

        await ProblemAssert.ReadNamingAsync(response, HttpStatusCode.BadRequest, "sql");
    }

    [Theory]
    [InlineData("GET", "/api/admin/jobs/{0}")]
    [InlineData("GET", "/api/admin/jobs/{0}/result")]
    [InlineData("POST", "/api/admin/jobs/{0}/cancel")]
    public async Task An_unknown_or_malformed_id_is_404(string method, string template)
    {
        foreach (var id in new[] { Guid.NewGuid().ToString("D"), "not-a-job" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, template, id));
            using var response = await _client.SendAsync(request);

            var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.NotFound);
            Assert.Equal("id", problem.GetProperty("parameter").GetString());
            Assert.Contains(id, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(AdHocJobState.Queued)]
    [InlineData(AdHocJobState.Running)]
    [InlineData(AdHocJobState.Failed)]
    [InlineData(AdHocJobState.Cancelled)]
    public async Task The_result_of_a_job_that_has_not_succeeded_is_409(AdHocJobState state)
    {
        var job = Job(state);
        _factory.AdHocJobs.Set(job);

        using var response = await _client.GetAsync($"/api/admin/jobs/{job.Id:D}/result");

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Contains(state.ToName(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_result_of_a_succeeded_job_is_downloaded_from_the_dataset_root()
    {
        var job = Job(AdHocJobState.Succeeded) with { Format = AdHocJobFormat.Csv, Rows = 2 };
        var relative = AdHocJobLayout.RelativeResultPath(job.Id, AdHocJobFormat.Csv);
        var path = AdHocJobLayout.Resolve(_factory.DatasetRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "country,n\nDE,1\nUS,2\n");
        _factory.AdHocJobs.Set(job with { ResultPath = relative, Bytes = new FileInfo(path).Length });

        using var state = await _client.GetAsync($"/api/admin/jobs/{job.Id:D}");
        var described = JsonDocument.Parse(await state.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("succeeded", described.GetProperty("state").GetString());
        Assert.Equal(2, described.GetProperty("rows").GetInt64());
        Assert.Equal($"/api/admin/jobs/{job.Id:D}/result", described.GetProperty("result").GetString());

        using var response = await _client.GetAsync($"/api/admin/jobs/{job.Id:D}/result");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("country,n\nDE,1\nUS,2\n", await response.Content.ReadAsStringAsync());

        File.Delete(path);
        using var gone = await _client.GetAsync($"/api/admin/jobs/{job.Id:D}/result");
        await ProblemAssert.ReadNamingAsync(gone, HttpStatusCode.NotFound, "id");
    }

    [Fact]
    public async Task A_result_path_outside_the_jobs_folder_is_never_served()
    {
        var job = Job(AdHocJobState.Succeeded) with { ResultPath = "../../etc/passwd" };
        _factory.AdHocJobs.Set(job);

        using var response = await _client.GetAsync($"/api/admin/jobs/{job.Id:D}/result");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AdHocJobState.Queued)]
    [InlineData(AdHocJobState.Running)]
    public async Task A_queued_or_running_job_is_cancelled(AdHocJobState state)
    {
        var job = Job(state);
        _factory.AdHocJobs.Set(job);

        using var response = await _client.PostAsync($"/api/admin/jobs/{job.Id:D}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("cancelled", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());
        Assert.Equal(AdHocJobState.Cancelled, (await _factory.AdHocJobs.GetAsync(job.Id, CancellationToken.None))!.State);
    }

    [Theory]
    [InlineData(AdHocJobState.Succeeded)]
    [InlineData(AdHocJobState.Failed)]
    public async Task A_finished_job_cannot_be_cancelled(AdHocJobState state)
    {
        var job = Job(state);
        _factory.AdHocJobs.Set(job);

        using var response = await _client.PostAsync($"/api/admin/jobs/{job.Id:D}/cancel", null);

        await ProblemAssert.ReadNamingAsync(response, HttpStatusCode.Conflict, "id");
        Assert.Equal(state, (await _factory.AdHocJobs.GetAsync(job.Id, CancellationToken.None))!.State);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(ServingAppFactory.QueryKey, HttpStatusCode.Forbidden)]
    [InlineData(ServingAppFactory.IngestKey, HttpStatusCode.Forbidden)]
    public async Task Only_the_admin_scope_reaches_the_jobs(string? key, HttpStatusCode status)
    {
        using var client = _factory.CreateClient(key);
        var job = Job(AdHocJobState.Queued);
        _factory.AdHocJobs.Set(job);

        using var submit = await client.PostAsync("/api/admin/jobs", Json($$"""{"sql":"{{Sql}}"}"""));
        using var get = await client.GetAsync($"/api/admin/jobs/{job.Id:D}");
        using var result = await client.GetAsync($"/api/admin/jobs/{job.Id:D}/result");
        using var cancel = await client.PostAsync($"/api/admin/jobs/{job.Id:D}/cancel", null);

        Assert.All(new[] { submit, get, result, cancel }, r => Assert.Equal(status, r.StatusCode));
        Assert.Equal(AdHocJobState.Queued, (await _factory.AdHocJobs.GetAsync(job.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task A_job_that_cannot_be_enqueued_is_marked_failed_and_the_answer_is_a_problem()
    {
        _factory.Scheduler.Failure = new Npgsql.NpgsqlException("connection refused");
        try
        {
            using var response = await _client.PostAsync("/api/admin/jobs", Json($$"""{"sql":"{{Sql}}"}"""));

            Assert.True((int)response.StatusCode >= 500, $"got {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            _factory.Scheduler.Failure = null;
        }
    }

    private static AdHocJob Job(AdHocJobState state) =>
        new(Guid.NewGuid(), Sql, AdHocJobFormat.Parquet, state, state == AdHocJobState.Succeeded ? 100 : 0, DateTimeOffset.UtcNow.AddMinutes(-1),
            null, state.IsFinished() ? DateTimeOffset.UtcNow : null, state == AdHocJobState.Failed ? "refused: not a SELECT" : null, null, null, null, null, null, "1", null, 0);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
